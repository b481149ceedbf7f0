package org.rollbackjobs.jobs.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.jobs.features.RecomputeReport;
import org.rollbackjobs.jobs.features.RecomputeRequest;
import org.rollbackjobs.jobs.features.RecomputeService;
import org.rollbackjobs.jobs.features.RecomputeService.RecomputeOutcome;
import org.springframework.beans.factory.annotation.Autowired;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

// no mixinStandardHelpOptions: --version is the pipeline version here
@Command(name = "recompute-features",
    description = {
        "Recomputes a feature table from a pinned source snapshot with a pinned feature-pipeline version, and"
            + " replaces the table's content in one Iceberg commit whose summary records the lineage (source"
            + " table and snapshot, pipeline name, version and definition hash, job execution).",
        "Pipelines: Java classes and YAML definitions on the class path, and YAML files in --pipelines DIR.",
        "The feature table's schema is created or evolved to the version's columns. A table that already holds"
            + " this version's output for this snapshot is left alone. After a failure or a kill,"
            + " 'restart --execution ID' continues from the completed partitions."})
class RecomputeFeaturesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Option(names = "--pipeline", required = true, paramLabel = "NAME", description = "The feature pipeline.")
  String pipeline;

  @Option(names = "--version", required = true, paramLabel = "V", description = "The pipeline version to run.")
  String version;

  @Option(names = "--source", required = true, paramLabel = "NS.TABLE", description = "The source table.")
  String source;

  @Option(names = "--source-snapshot", paramLabel = "ID",
      description = "The source snapshot to compute from (default: the source's current snapshot).")
  Long sourceSnapshot;

  @Option(names = "--target", required = true, paramLabel = "NS.TABLE",
      description = "The feature table (created if it does not exist).")
  String target;

  @Option(names = "--pipelines", paramLabel = "DIR", description = "A folder of YAML pipeline definitions.")
  Path pipelinesDir;

  @Option(names = "--reason", paramLabel = "TEXT",
      description = "Why (required unless --dry-run); recorded in the snapshot summary and the audit log.")
  String reason;

  @Option(names = "--actor", paramLabel = "NAME", description = "Who, for the audit log (default: the OS user).")
  String actor;

  @Option(names = "--dry-run", description = "Print the plan (snapshot, rows, schema changes); change nothing.")
  boolean dryRun;

  @Autowired RecomputeService recomputeService;

  @Override
  public Integer call() {
    if (!dryRun && (reason == null || reason.isBlank())) {
      throw new ParameterException(spec.commandLine(),
          "--reason is required: say why the feature table is recomputed (it is recorded with the commit)");
    }
    RecomputeRequest request = RecomputeRequest.of(pipeline, version, source, sourceSnapshot, target, pipelinesDir,
        reason, Actors.actor(actor));
    if (dryRun) {
      RecomputePlan plan = recomputeService.plan(request);
      Output.print(spec, output, RecomputeReport.json("dry-run", ExitCodes.OK, plan, null), RecomputeReport.planText(plan));
      return ExitCodes.OK;
    }
    RecomputeOutcome outcome = recomputeService.recompute(request);
    Output.print(spec, output, RecomputeReport.json(outcome.status(), ExitCodes.OK, outcome.plan(), outcome),
        RecomputeReport.resultText(outcome));
    return ExitCodes.OK;
  }
}
