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
}
