package org.rollbackjobs.jobs.cli;

import java.util.concurrent.Callable;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.rollbackjobs.jobs.metrics.RollbackMetrics;
import org.rollbackjobs.jobs.rollback.RollbackOutcome;
import org.rollbackjobs.jobs.rollback.RollbackReport;
import org.rollbackjobs.jobs.rollback.RollbackRequest;
import org.rollbackjobs.jobs.rollback.RollbackService;
import org.rollbackjobs.jobs.system.SystemCatalog;
import org.springframework.beans.factory.annotation.Autowired;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "rollback", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Rolls a whole system back to a manifest as one restartable, guarded, verified flow.",
        "Plans one action per component (datasets restore; feature tables recompute; indexes switch back to the"
            + " pinned build while it is kept, else rebuild; models with a registry set their alias back to the pinned"
            + " version, other models retrain; prompts set their alias back), with a plan id and a level (4 data,"
            + " 3 feature pipeline, 2 system version, 1 model only).",
        "Guards (exit 4, nothing changed): one rollback or drill of a system at a time; readiness (pinned"
            + " snapshots, pipeline versions and embedding models still there; nothing quarantined); approvals of"
            + " this plan id by the roles its level needs (see 'approve').",
        "Then: datasets in parallel, feature tables and indexes in parallel, models and prompts, and verify. Exit 0 when verify"
            + " is clean, 3 when mixed-version state remains, 1 when a step failed: 'restart --execution ID', or the"
            + " same command again, continues without redoing completed components.",
        "--dry-run prints the plan and every guard and exits with the code the real run would get at its start."})
class SystemRollbackCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;
  @Mixin SystemOptions system;

  @Option(names = "--to-manifest", required = true, paramLabel = "ID|previous",
      description = "The manifest to roll back to; 'previous': the newest live manifest before the latest one.")
  String toManifest;

  @Mixin ChangeOptions change;

  @Option(names = "--override-quarantine", description = "Roll back to pinned versions even if quarantined.")
  boolean overrideQuarantine;

  @Autowired SystemCatalog systems;
  @Autowired RollbackService service;
  @Autowired RollbackMetrics metrics;

  @Override
  public void validate() {
    system.require();
    if (!toManifest.equals(RollbackRequest.PREVIOUS) && !toManifest.matches("[1-9][0-9]{0,18}")) {
      throw new ParameterException(spec.commandLine(), "--to-manifest '" + toManifest + "' is neither a manifest id"
          + " nor 'previous'");
    }
  }

  @Override
  public Integer call() {
    RollbackOutcome outcome = service.rollback(new RollbackRequest(system.load(systems), toManifest, change.reason(),
        change.actor(), change.dryRun(), overrideQuarantine));
    if (outcome.error() != null && outcome.exitCode() != ExitCodes.OK) {
      spec.commandLine().getErr().println("error: " + outcome.error());
      spec.commandLine().getErr().flush();
    }
    if (!change.dryRun()) {
      metrics.timeToRollback(outcome.plan() == null ? null : outcome.plan().system(), "rollback",
          outcome.timeToRollbackMs());
    }
    Output.print(spec, output, RollbackReport.json(outcome), RollbackReport.text(outcome));
    return outcome.exitCode();
  }
}
