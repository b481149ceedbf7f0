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
    if (!SAFE.matcher(name).matches()) {
      throw new BadInputException(what + " '" + name + "' is not a safe SQL identifier: only letters, digits"
          + " and '_' are allowed (no quotes, semicolons, spaces, dots or dashes), not starting with a digit");
    }
    if (name.length() > maxLength) {
      throw new BadInputException(what + " '" + name + "' is longer than " + maxLength + " characters");
    }
    return name;
  }

  public static String check(String what, String name) {
    return check(what, name, MAX_LENGTH);
  }

  /** The identifier in double quotes, for a name that already passed {@link #check}. */
  public static String quote(String name) {
    if (!SAFE.matcher(name).matches()) {
      throw new IllegalArgumentException("unchecked identifier " + name);
    }
    return '"' + name + '"';
  }

  /** {@code "schema"."name"}. */
  public static String qualified(String schema, String name) {
    return quote(schema) + '.' + quote(name);
  }
}
