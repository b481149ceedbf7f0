package org.rollbackjobs.vector.sql;

import java.util.regex.Pattern;
import org.rollbackjobs.iceberg.BadInputException;

/**
 * SQL identifiers that come from options or configuration (schema, index, column names). They are checked
 * against a strict pattern before they reach any statement, and then always quoted: a name with a quote, a
 * semicolon or a space never gets near the database.
 */
public final class SqlIdentifier {
  /** PostgreSQL truncates identifiers at 63 bytes; a build table adds a suffix to the index name. */
  public static final int MAX_LENGTH = 63;
  private static final Pattern SAFE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private SqlIdentifier() {}

  /** Returns {@code name} when it is safe, else throws {@link BadInputException} naming {@code what} it is. */
  public static String check(String what, String name, int maxLength) {
    if (name == null || name.isEmpty()) {
      throw new BadInputException(what + " is empty; expected letters, digits and '_' (not starting with a digit)");
    }
    // the length first: a 10,000-character name is refused without running the pattern over it
    if (name.length() > maxLength) {
      throw new BadInputException(what + " " + BadInputException.shown(name) + " is longer than " + maxLength
          + " characters; expected at most " + maxLength + " letters, digits and '_'");
    }
    if (!SAFE.matcher(name).matches()) {
      throw new BadInputException(what + " " + BadInputException.shown(name) + " is not a safe SQL identifier:"
          + " only letters, digits and '_' are allowed (no quotes, semicolons, spaces, dots or dashes), not"
          + " starting with a digit");
    }
    return name;
  }

  public static String check(String what, String name) {
    return check(what, name, MAX_LENGTH);
  }

  /** The identifier in double quotes, for a name that already passed {@link #check}. */
  public static String quote(String name) {
    if (name == null || !SAFE.matcher(name).matches()) {
      throw new IllegalArgumentException("unchecked identifier " + BadInputException.shown(name));
    }
    return '"' + name + '"';
  }

  /** {@code "schema"."name"}. */
  public static String qualified(String schema, String name) {
    return quote(schema) + '.' + quote(name);
  }

  /**
   * {@code text} as an SQL string literal, for the statements that take no parameters ({@code COMMENT ON}):
   * an escape string ({@code E'...'}), whose backslashes mean the same whatever {@code standard_conforming_strings}
   * is, with quotes and backslashes doubled. NUL cannot be in a PostgreSQL string and is refused.
   */
  public static String literal(String text) {
    if (text.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a NUL character cannot be in an SQL string");
    }
    return "E'" + text.replace("\\", "\\\\").replace("'", "''") + "'";
  }
}
