package org.rollbackjobs.jobs.rollback;

/** One guard of a rollback and its result: {@code lock}, {@code readiness: ...}, {@code approval}. */
public record Guard(String name, boolean ok, String message) {
  public static Guard ok(String name, String message) {
    return new Guard(name, true, message);
  }

  public static Guard failed(String name, String message) {
    return new Guard(name, false, message);
  }
}
