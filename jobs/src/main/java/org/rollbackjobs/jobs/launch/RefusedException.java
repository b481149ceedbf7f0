package org.rollbackjobs.jobs.launch;

/** A guard refused the request (exit code 4): another rollback runs, approval missing, readiness failed, ... */
public class RefusedException extends RuntimeException {
  public RefusedException(String message) {
    super(message);
  }
}
