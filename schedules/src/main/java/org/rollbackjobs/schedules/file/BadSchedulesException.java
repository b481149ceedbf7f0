package org.rollbackjobs.schedules.file;

/** A schedules file that cannot be used: the message names the file, the line, the key and what would be valid. */
public class BadSchedulesException extends RuntimeException {
  public BadSchedulesException(String message) {
    super(message);
  }
}
