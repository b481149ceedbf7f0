package org.rollbackjobs.jobs.cli;

/** The exit codes of every command (design.md). */
public final class ExitCodes {
  /** Completed, also when there was nothing to do. */
  public static final int OK = 0;
  /** Failed while running; the execution can be restarted. */
  public static final int FAILED = 1;
  /** Bad usage or bad input; nothing changed. */
  public static final int BAD_INPUT = 2;
  /** Verification found mixed-version state. */
  public static final int MIXED_VERSION = 3;
  /** Refused by a guard (concurrent rollback, approval, readiness, quarantine). */
  public static final int REFUSED = 4;

  private ExitCodes() {}
}
