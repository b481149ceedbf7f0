package org.rollbackjobs.jobs.cli;

import java.util.List;
import picocli.CommandLine.Command;

/** The top-level command of the job JAR; its commands are added by {@link Cli#commandLine}. */
@Command(
    name = "rollback-jobs",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Rolls a data-dependent AI system back to a pinned, known-good version.",
        "Every command takes --help, and --json: exactly one JSON object on the last line of stdout (logs: stderr).",
        "Configuration: Spring Boot properties: application.yml, environment variables, or arguments",
        "such as --spring.datasource.url=URL.",
        "Exit codes: 0 completed (or nothing to do), 1 failed while running (restartable),",
        "2 bad usage or input (nothing changed), 3 mixed-version state found, 4 refused by a guard."})
public class RollbackCommand {
  /** The commands, in the order of the help. */
  static final List<Class<?>> COMMANDS = List.of(
      SnapshotsCommand.class,
      RestoreCommand.class,
      RebuildIndexCommand.class,
      RecomputeFeaturesCommand.class,
      ManifestCommand.class,
      TriggerRetrainCommand.class,
      VerifyCommand.class,
      SystemRollbackCommand.class,
      ApproveCommand.class,
      DrillCommand.class,
      ReportCommand.class,
      HistoryCommand.class,
      StatusCommand.class,
      RestartCommand.class,
      DemoCommand.class);
}
