package org.rollbackjobs.iceberg.catalog;

import org.apache.iceberg.exceptions.CommitStateUnknownException;

/**
 * A commit whose outcome could not be checked: Iceberg neither retries it nor deletes the files it wrote (they
 * may belong to a committed snapshot). The message is one line; Iceberg's own adds a paragraph on repairs.
 */
public class CommitOutcomeUnknownException extends CommitStateUnknownException {
  private final String message;

  public CommitOutcomeUnknownException(String message, Throwable cause) {
    super(message, cause);
    this.message = message;
  }

  @Override
  public String getMessage() {
    return message;
  }
}
