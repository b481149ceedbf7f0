package org.rollbackjobs.jobs.system;

import java.util.List;
import java.util.regex.Pattern;

/** Small validation helpers of the system file's items; a broken rule is an IllegalArgumentException. */
final class Specs {
  /** NS.TABLE, as Iceberg identifiers: namespace levels and table name separated by dots. */
  static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+");
  static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  private Specs() {}

  static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  static String table(String key, String value) {
    require(value != null && !value.isBlank(), key + " is required (an Iceberg table NS.TABLE)");
    require(TABLE.matcher(value).matches(), key + ": '" + value + "' is not a table name NS.TABLE"
        + " (letters, digits and '_', namespace and table separated by '.')");
    return value;
  }

  static String identifier(String key, String value) {
    require(value != null && !value.isBlank(), key + " is required");
    require(IDENTIFIER.matcher(value).matches(), key + ": '" + value
        + "' is not a valid name (letters, digits and '_', not starting with a digit, at most 63 characters)");
    return value;
  }

  static String text(String key, String value) {
    require(value != null && !value.isBlank(), key + " is required");
    return value;
  }

  static <T> List<T> list(List<T> values) {
    return values == null ? List.of() : List.copyOf(values);
  }
}
