package org.rollbackjobs.jobs.launch;

/** A job execution ended FAILED; it can be restarted with {@code restart --execution ID} (exit code 1). */
public class JobFailedException extends RuntimeException {
  private final long executionId;

  public JobFailedException(String message, long executionId, Throwable cause) {
    super(message, cause);
    this.executionId = executionId;
  }

  public long executionId() {
    return executionId;
  }
}
