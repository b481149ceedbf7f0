package org.rollbackjobs.vector.embedding;

import java.util.Locale;
import org.rollbackjobs.iceberg.BadInputException;

/** Whether a version's vectors are scaled to unit length (L2) or left as the model returns them. */
public enum Normalization {
  L2("l2"),
  NONE("none");

  private final String label;

  Normalization(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public static Normalization parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    for (Normalization n : values()) {
      if (n.label.equals(t)) {
        return n;
      }
    }
    throw new BadInputException("unknown normalization '" + text + "'; valid: l2, none");
  }

  /** Applies this normalisation in place (a no-op for NONE) and returns the vector. */
  public float[] apply(float[] vector) {
    if (this == L2) {
      double sum = 0;
      for (float v : vector) {
        sum += (double) v * v;
      }
      double norm = Math.sqrt(sum);
      if (norm > 0) {
        for (int i = 0; i < vector.length; i++) {
          vector[i] = (float) (vector[i] / norm);
        }
      }
    }
    return vector;
  }
}
