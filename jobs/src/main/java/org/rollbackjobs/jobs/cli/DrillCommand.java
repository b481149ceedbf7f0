package org.rollbackjobs.jobs.cli;

import java.util.concurrent.Callable;
import org.rollbackjobs.jobs.drill.DrillOutcome;
import org.rollbackjobs.jobs.drill.DrillReport;
import org.rollbackjobs.jobs.drill.DrillRequest;
import org.rollbackjobs.jobs.drill.DrillService;
import org.rollbackjobs.jobs.drill.Inject;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.rollbackjobs.jobs.metrics.RollbackMetrics;
import org.rollbackjobs.jobs.rollback.RollbackRequest;
import org.rollbackjobs.jobs.system.SystemCatalog;
import org.springframework.beans.factory.annotation.Autowired;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "drill", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Rehearses the rollback of a whole system in a sandbox, timed and verified, leaving production untouched.",
        "The sandbox: an Iceberg branch drill-<run-id> of every dataset and feature table, made from its current"
            + " main snapshot (with a short max-ref-age, rollback.drill.branch-max-age), and a PostgreSQL schema"
            + " rollback_drill_<run-id> where the indexes are built with their serving views (the embedding registry"
            + " is only read; cached vectors are reused). Models: nothing is sent; the retrain trigger is probed, a"
            + " registry alias read and its pinned version looked up.",
        "The rollback is the one 'rollback' runs (same planner, component jobs and verify), under the system's lock"
            + " (exit 4 while a rollback or drill of the system runs). Production (main snapshots, serving views and"
            + " builds, registries, manifests) is fingerprinted before and after: any difference fails the drill.",
        "--inject damages the sandbox first; verify must detect the fault, and the rollback repair it.",
        "Exit 0 passed, 1 failed while running or production changed, 2 bad input (nothing created), 3 mixed-version"
            + " state left or the fault went undetected, 4 refused. Every drill is recorded for 'report'; the"
            + " sandbox is removed at the end (also after a failure) unless --keep."})
class DrillCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;
  @Mixin SystemOptions system;

  @Option(names = "--to-manifest", paramLabel = "ID|previous",
      description = "The manifest to drill the rollback to (default: previous when the system has two live"
          + " manifests, else the latest).")
  String toManifest;

  @Option(names = "--inject", paramLabel = "FAULT", defaultValue = "none",
      description = "The fault injected into the sandbox before the rollback: none (default), bad-load (rows"
          + " appended to a dataset's branch), stale-features (a feature table recomputed on its branch from another"
          + " source snapshot), mixed-embeddings (the sandbox index built, then a fifth of it re-embedded with"
          + " another model of the same dimension).")
  String inject;

  @Option(names = "--keep", description = "Keep the sandbox for inspection (the next drill of the system removes it).")
  boolean keep;

  @Mixin ChangeOptions change;

  @Autowired SystemCatalog systems;
  @Autowired DrillService service;
  @Autowired RollbackMetrics metrics;

  @Override
  public void validate() {
    system.require();
    if (toManifest != null && !toManifest.equals(RollbackRequest.PREVIOUS) && !toManifest.matches("[1-9][0-9]{0,18}")) {
      throw new ParameterException(spec.commandLine(), "--to-manifest '" + toManifest + "' is neither a manifest id"
          + " nor 'previous'");
    }
    Inject.parse(inject); // bad input: a usage error (exit 2) before the application starts
  }

  @Override
  public Integer call() {
    DrillOutcome outcome = service.drill(new DrillRequest(system.load(systems), toManifest, change.reason(),
        change.actor(), Inject.parse(inject), keep, change.dryRun()));
    if (outcome.error() != null && outcome.exitCode() != ExitCodes.OK) {
      spec.commandLine().getErr().println("error: " + outcome.error());
      spec.commandLine().getErr().flush();
    }
    if (!change.dryRun()) {
      metrics.drill(outcome, java.time.Instant.now());
    }
    Output.print(spec, output, DrillReport.json(outcome), DrillReport.text(outcome));
    return outcome.exitCode();
  }
}
