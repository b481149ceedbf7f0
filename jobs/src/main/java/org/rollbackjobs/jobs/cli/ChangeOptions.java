package org.rollbackjobs.jobs.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --reason}, {@code --actor} and {@code --dry-run}: the options of every command that changes state. */
class ChangeOptions implements Validated {
  @Spec(Spec.Target.MIXEE) CommandSpec spec;

  @Option(names = "--reason", paramLabel = "TEXT",
      description = "Why (required unless --dry-run); recorded with the change and in the audit log.")
  String reason;

  @Option(names = "--actor", paramLabel = "NAME", description = "Who, for the audit log (default: the OS user).")
  String actor;

  @Option(names = "--dry-run", description = "Print the plan; change nothing.")
  boolean dryRun;

  @Override
  public void validate() {
    if (!dryRun && (reason == null || reason.isBlank())) {
      throw new ParameterException(spec.commandLine(), "--reason is required (unless --dry-run): say why "
          + spec.qualifiedName().replaceFirst("^\\S+ ", "") + " is run; it is recorded in the audit log");
    }
  }

  String reason() {
    return reason;
  }

  /** {@code --actor}, else the OS user. */
  String actor() {
    return Actors.actor(actor);
  }

  boolean dryRun() {
    return dryRun;
  }
}
