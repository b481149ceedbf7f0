package org.rollbackjobs.iceberg;

/**
 * Another writer committed to the table between planning and committing. Nothing was changed by us; running
 * the same request again plans against the new state. Command lines map it to exit code 1 (restartable).
 */
public class ConcurrentChangeException extends RuntimeException {
  public ConcurrentChangeException(String message, Throwable cause) {
    super(message, cause);
  }
}
