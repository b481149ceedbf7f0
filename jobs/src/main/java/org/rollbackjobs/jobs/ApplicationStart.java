package org.rollbackjobs.jobs;

import org.rollbackjobs.jobs.cli.Cli;
import org.springframework.boot.SpringApplication;

/** Starts the application for a command that passed the command-line checks; returns the exit code. */
final class ApplicationStart {
  private ApplicationStart() {}

  static int run(String[] args) {
    try {
      return SpringApplication.exit(SpringApplication.run(RollbackJobsApplication.class, args));
    } catch (RuntimeException startFailed) {
      return Cli.startupFailure(args, startFailed);
    }
  }
}
