package org.rollbackjobs.jobs.cli;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.restore.RestoreMode;
import org.rollbackjobs.iceberg.restore.RestorePlan;
import org.rollbackjobs.iceberg.snapshot.SnapshotTarget;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.rollbackjobs.jobs.restore.RestoreReport;
import org.rollbackjobs.jobs.restore.RestoreRequest;
import org.rollbackjobs.jobs.restore.RestoreService;
import org.rollbackjobs.jobs.restore.RestoreService.RestoreOutcome;
import org.springframework.beans.factory.annotation.Autowired;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "restore", mixinStandardHelpOptions = true,
    description = {
        "Restores an Iceberg table by time travel to a snapshot id, the state at an instant, or a tag.",
        "Mode commit (default) makes a new snapshot whose content equals the target from the target's own data"
            + " files (no data rewritten, history kept, roll-forward possible); mode pointer moves the current"
            + " snapshot back (Iceberg's rollback).",
        "Restoring to the state the table is already in does nothing. A concurrent commit by another writer"
            + " makes the restore fail (exit 1) without changing anything.",
        "Refused (exit 4, nothing changed) while another restore writes the table or a recompute-features reads"
            + " or writes it; the message names that job execution."})
class RestoreCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Option(names = "--table", required = true, paramLabel = "NS.TABLE", description = "The Iceberg table to restore.")
  String table;

  @ArgGroup(exclusive = true, multiplicity = "1", heading = "Target (exactly one):%n")
  Target target;

  static class Target {
    @Option(names = "--to-snapshot", paramLabel = "ID", description = "A snapshot id (see 'snapshots').")
    Long snapshotId;

    @Option(names = "--to-timestamp", paramLabel = "ISO-8601",
        description = "The table as it was at this instant, e.g. 2026-11-25T10:00:00Z (no offset: UTC).")
    String timestamp;

    @Option(names = "--to-tag", paramLabel = "NAME", description = "A tag of the table.")
    String tag;
  }

  @Option(names = "--mode", defaultValue = "commit", paramLabel = "MODE",
      description = "commit (default) or pointer.")
  RestoreMode mode;

  @Mixin ChangeOptions change;

  @Autowired RestoreService restoreService;

  @Override
  public void validate() {
    TableName.parse("--table", table);
    snapshotTarget();
  }

  @Override
  public Integer call() {
    RestoreRequest request = new RestoreRequest(table, snapshotTarget(), mode, change.reason(), change.actor());
    if (change.dryRun()) {
      RestorePlan plan = restoreService.plan(request);
      return DryRunLock.print(spec, output, RestoreReport.json("dry-run", ExitCodes.OK, plan, null, null, null),
          RestoreReport.planText(plan), restoreService.lockConflict(request),
          "no other restore or recompute-features runs on table " + table);
    }
    RestoreOutcome outcome = restoreService.restore(request);
    var result = outcome.result();
    Output.print(spec, output,
        RestoreReport.json(outcome.outcome(), ExitCodes.OK, result.plan(), result.newCurrentSnapshotId(),
            result.duration(), outcome.jobExecutionId()),
        RestoreReport.resultText(result.plan(), result.newCurrentSnapshotId(), result.duration(), outcome.jobExecutionId()));
    return ExitCodes.OK;
  }

  private SnapshotTarget snapshotTarget() {
    if (target.snapshotId != null) {
      return SnapshotTarget.id(target.snapshotId);
    }
    if (target.tag != null) {
      return SnapshotTarget.tag(target.tag);
    }
    return SnapshotTarget.asOf(parseInstant(target.timestamp));
  }

  static Instant parseInstant(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException withoutOffset) {
      try {
        return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        throw new BadInputException("--to-timestamp '" + text + "' is not an ISO-8601 date-time;"
            + " expected for example 2026-11-25T10:15:30Z or 2026-11-25T11:15:30+01:00");
      }
    }
  }
}
