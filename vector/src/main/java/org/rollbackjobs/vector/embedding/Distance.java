package org.rollbackjobs.vector.embedding;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.rollbackjobs.iceberg.BadInputException;

/** The distance a version's vectors are compared with, and how pgvector spells it. */
public enum Distance {
  COSINE("cosine", "vector_cosine_ops", "<=>"),
  L2("l2", "vector_l2_ops", "<->"),
  INNER_PRODUCT("inner_product", "vector_ip_ops", "<#>");

  private final String label;
  private final String operatorClass;
  private final String operator;

  Distance(String label, String operatorClass, String operator) {
    this.label = label;
    this.operatorClass = operatorClass;
    this.operator = operator;
  }

  public String label() {
    return label;
  }

  /** The pgvector operator class of an ANN index for this distance. */
  public String operatorClass() {
    return operatorClass;
  }

  /** The pgvector operator ordering nearest first. */
  public String operator() {
    return operator;
  }

  public static Distance parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
    for (Distance d : values()) {
      if (d.label.equals(t)) {
        return d;
      }
    }
    throw new BadInputException("unknown distance '" + text + "'; valid: "
        + Arrays.stream(values()).map(Distance::label).collect(Collectors.joining(", ")));
  }
}
