package org.rollbackjobs.jobs.system;

import java.util.List;
import java.util.regex.Pattern;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.VersionName;
import org.rollbackjobs.iceberg.catalog.TableName;

/** Small validation helpers of the system file's items; a broken rule is an IllegalArgumentException. */
final class Specs {
  /** NS.TABLE, as Iceberg identifiers: namespace levels and table name separated by dots. */
  static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}(\\.[A-Za-z_][A-Za-z0-9_]{0,127})+");
  static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
  /** Free text recorded as it is (a model's version as the team names it). */
  static final int MAX_TEXT = 256;

  private Specs() {}

  static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  static String table(String key, String value) {
    require(value != null && !value.isBlank(), key + " is required (an Iceberg table NS.TABLE)");
    require(value.length() <= TableName.MAX_LENGTH && TABLE.matcher(value).matches(), key + ": " + shown(value)
        + " is not a table name NS.TABLE (letters, digits and '_', namespace and table separated by '.', each part"
        + " at most " + TableName.MAX_PART_LENGTH + " and the whole at most " + TableName.MAX_LENGTH + " characters)");
    return value;
  }

  static String identifier(String key, String value) {
    return identifier(key, value, 63);
  }

  static String identifier(String key, String value, int maxLength) {
    require(value != null && !value.isBlank(), key + " is required");
    require(value.length() <= maxLength && IDENTIFIER.matcher(value).matches(), key + ": " + shown(value)
        + " is not a valid name (letters, digits and '_', not starting with a digit, at most " + maxLength
        + " characters)");
    return value;
  }

  /** A pipeline or embedding version name ({@code customer_txn_features}, {@code all-minilm-l6-v2-q}, {@code 1.4}). */
  static String versionName(String key, String value) {
    require(value != null && !value.isBlank(), key + " is required");
    require(VersionName.valid(value), key + ": " + shown(value) + " is not a valid name (" + VersionName.RULE + ")");
    return value;
  }

  /** Optional free text: no control characters (a newline or NUL would forge or break records), not too long. */
  static String text(String key, String value) {
    require(value == null || (value.length() <= MAX_TEXT && value.chars().noneMatch(Character::isISOControl)),
        key + ": " + shown(value) + " is not valid text (at most " + MAX_TEXT + " characters, no control"
            + " characters such as newline or NUL)");
    return value;
  }

  static String shown(String value) {
    return BadInputException.shown(value);
  }

  static <T> List<T> list(List<T> values) {
    return values == null ? List.of() : List.copyOf(values);
  }
}
