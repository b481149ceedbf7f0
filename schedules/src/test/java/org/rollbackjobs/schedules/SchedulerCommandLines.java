package org.rollbackjobs.schedules;

import org.rollbackjobs.schedules.RollbackSchedulerApplication.CommandLine;

/** The scheduler's command-line check, for the tests of the definitions that start it (another package). */
public final class SchedulerCommandLines {
  private SchedulerCommandLines() {}

  /** Null when the scheduler would start with these arguments (the schedules file read and valid), else why not. */
  public static String problem(String... args) {
    CommandLine line = CommandLine.parse(args);
    return line.exitCode() == null ? null : "exit " + line.exitCode() + ": " + line.message();
  }
}
