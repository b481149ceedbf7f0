package org.rollbackjobs.iceberg.features.aggregate;

import java.util.Locale;
import org.apache.iceberg.types.Type;
import org.rollbackjobs.iceberg.BadInputException;

/** The built-in aggregates, for Java pipelines and YAML definitions alike. */
public final class Aggregates {
  /** Fed to {@link #count()} for every row, as SQL's {@code count(*)}. */
  public static final Object ROW = Boolean.TRUE;

  /** The aggregate names a YAML definition may use. */
  public static final String NAMES = "count, sum, mean, min, max, distinct-count";

  private Aggregates() {}

  /** Number of non-null values fed (feed {@link #ROW} to count rows). */
  public static Aggregate<?> count() {
    return new Count();
  }

  /** Sum: exact long for integer inputs, compensated double for floating-point ones. */
  public static Aggregate<?> sum(Type inputType) {
    switch (inputType.typeId()) {
      case INTEGER:
      case LONG:
        return new LongSum(inputType.toString());
      case FLOAT:
      case DOUBLE:
        return new DoubleSum(inputType.toString());
      default:
        throw new BadInputException("sum needs a numeric input (int, long, float, double), not " + inputType);
    }
  }

  /** Arithmetic mean as a double. */
  public static Aggregate<?> mean(Type inputType) {
    requireNumeric("mean", inputType);
    return new Mean(inputType.toString());
  }

  public static Aggregate<?> min(Type inputType) {
    return isNumeric(inputType) ? new NumericExtreme(inputType, false) : new Extreme(inputType, false);
  }

  public static Aggregate<?> max(Type inputType) {
    return isNumeric(inputType) ? new NumericExtreme(inputType, true) : new Extreme(inputType, true);
  }

  private static boolean isNumeric(Type type) {
    switch (type.typeId()) {
      case INTEGER:
      case LONG:
      case FLOAT:
      case DOUBLE:
        return true;
      default:
        return false;
    }
  }

  public static Aggregate<?> distinctCount(Type inputType) {
    return new DistinctCount(inputType);
  }

  /** An aggregate by its YAML name. */
  public static Aggregate<?> byName(String name, Type inputType) {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "count":
        return count();
      case "sum":
        return sum(inputType);
      case "mean":
      case "avg":
        return mean(inputType);
      case "min":
        return min(inputType);
      case "max":
        return max(inputType);
      case "distinct-count":
      case "count-distinct":
        return distinctCount(inputType);
      default:
        throw new BadInputException("unknown aggregate '" + name + "'; known: " + NAMES);
    }
  }

  private static void requireNumeric(String function, Type type) {
    switch (type.typeId()) {
      case INTEGER:
      case LONG:
      case FLOAT:
      case DOUBLE:
        return;
      default:
        throw new BadInputException(function + " needs a numeric input (int, long, float, double), not " + type);
    }
  }
}
