package org.rollbackjobs.iceberg;

import java.util.regex.Pattern;

/**
 * The form of the names the suite looks things up by: feature pipelines, pipeline versions, embedding versions
 * ({@code customer_txn_features}, {@code 1.4}, {@code all-minilm-l6-v2-q}). They are bound as SQL parameters and
 * written into commit summaries and comments; the form keeps quotes, semicolons, spaces, control characters,
 * path separators and very long strings out of all of them.
 */
public final class VersionName {
  public static final int MAX_LENGTH = 128;
  public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:+-]{0," + (MAX_LENGTH - 1) + "}");
  public static final String RULE = "letters, digits, '_', '.', ':', '+' and '-', starting with a letter or digit,"
      + " at most " + MAX_LENGTH + " characters";

  private VersionName() {}

  public static boolean valid(String name) {
    return name != null && PATTERN.matcher(name).matches();
  }

  /** Returns {@code name} when it has the form, else a {@link BadInputException} naming {@code what} it is. */
  public static String check(String what, String name) {
    if (!valid(name)) {
      throw new BadInputException(what + " " + BadInputException.shown(name) + " is not a valid name (" + RULE
          + ")");
    }
    return name;
  }
}
