package org.rollbackjobs.iceberg;

/**
 * The request names something that does not exist or cannot be used (unknown table, snapshot, tag, expired
 * snapshot, malformed value). Raised before anything is changed; the message says what was wrong and what
 * would be valid. Command lines map it to exit code 2.
 */
public class BadInputException extends RuntimeException {
  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * A value as a message may repeat it: in quotes, control characters (NUL, newline) escaped, cut after 80
   * characters. Hostile input (a 10,000-character name, a name with a newline) must not flood or forge the output.
   */
  public static String shown(String value) {
    if (value == null) {
      return "(missing)";
    }
    StringBuilder shown = new StringBuilder("'");
    value.codePoints().limit(80).forEach(c -> {
      if (Character.isISOControl(c)) {
        shown.append(String.format("\\u%04x", c));
      } else {
        shown.appendCodePoint(c);
      }
    });
    int length = value.codePointCount(0, value.length());
    return shown.append(length > 80 ? "...' (" + length + " characters)" : "'").toString();
  }
}
