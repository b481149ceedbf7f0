package org.rollbackjobs.vector.index;

import java.util.Locale;
import org.rollbackjobs.iceberg.BadInputException;

/** pgvector's approximate nearest-neighbour index types. */
public enum AnnMethod {
  HNSW,
  IVFFLAT;

  public String sql() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static AnnMethod parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new BadInputException("unknown ANN index type '" + text + "'; valid: hnsw, ivfflat");
    }
  }
}
