package org.rollbackjobs.jobs.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.VersionName;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.jobs.features.RecomputeEngine;
import org.rollbackjobs.jobs.features.RecomputeReport;
import org.rollbackjobs.jobs.features.RecomputeRequest;
import org.rollbackjobs.jobs.features.RecomputeService;
import org.rollbackjobs.jobs.features.RecomputeService.RecomputeOutcome;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.rollbackjobs.jobs.manifest.Manifest;
import org.rollbackjobs.jobs.manifest.ManifestContent;
import org.rollbackjobs.jobs.manifest.ManifestStore;
import org.rollbackjobs.jobs.system.FeatureSpec;
import org.rollbackjobs.jobs.system.SystemCatalog;
import org.rollbackjobs.jobs.system.SystemDefinition;
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
            + " 'restart --execution ID' continues from the completed partitions.",
        "Refused (exit 4, nothing changed) while another recompute writes the target or a restore writes the"
            + " source; the message names that job execution. Recomputes from one source run side by side."})
class RecomputeFeaturesCommand implements Callable<Integer>, Validated {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Mixin SystemOptions system;

  @Option(names = "--feature", paramLabel = "NAME",
      description = "With --system: the feature table of the system to recompute; pipeline, source and target"
          + " come from the system file, version and source snapshot from the manifest.")
  String feature;

  @Option(names = "--manifest", paramLabel = "ID",
      description = "With --system: the manifest to take the pins from (default: the latest).")
  Long manifestId;

  @Option(names = "--pipeline", paramLabel = "NAME", description = "The feature pipeline (without --system).")
  String pipeline;

  @Option(names = "--version", paramLabel = "V",
      description = "The pipeline version to run (with --system: instead of the manifest's).")
  String version;

  @Option(names = "--source", paramLabel = "NS.TABLE", description = "The source table (without --system).")
  String source;

  @Option(names = "--source-snapshot", paramLabel = "ID",
      description = "The source snapshot to compute from (default: the source's current snapshot).")
  Long sourceSnapshot;

  @Option(names = "--target", paramLabel = "NS.TABLE",
      description = "The feature table, created if it does not exist (without --system).")
  String target;

  @Option(names = "--pipelines", paramLabel = "DIR", description = "A folder of YAML pipeline definitions.")
  Path pipelinesDir;

  @Option(names = "--engine", paramLabel = "ENGINE",
      description = "Where to compute: embedded (in this JVM) or spark (on the Spark Connect server of"
          + " rollback.features.spark.remote, which commits the table; see docs/design/spark-engine.md). Default:"
          + " the system file's 'engine' of the feature, else rollback.features.engine (embedded).")
  String engine;

  @Mixin ChangeOptions change;

  @Autowired RecomputeService recomputeService;
  @Autowired SystemCatalog systems;
  @Autowired ManifestStore manifests;

  @Override
  public void validate() {
    if (engine != null) {
      RecomputeEngine.of("--engine", engine);
    }
    if (system.given()) {
      if (feature == null) {
        throw new ParameterException(spec.commandLine(), "--system needs --feature NAME: the feature table to recompute");
      }
      if (pipeline != null || source != null || target != null) {
        throw new ParameterException(spec.commandLine(), "with --system, --pipeline, --source and --target come from"
            + " the system file; leave them out");
      }
      if (!SystemDefinition.NAME.matcher(feature).matches()) {
        throw new BadInputException("--feature " + BadInputException.shown(feature) + " is not a feature name"
            + " (lower-case letters, digits, '_', '-', '.'; at most 63 characters)");
      }
      if (version != null) {
        VersionName.check("--version", version);
      }
      return;
    }
    if (feature != null || manifestId != null) {
      throw new ParameterException(spec.commandLine(), "--feature and --manifest need --system NAME or --system-file PATH");
    }
    requireOption(pipeline, "--pipeline NAME");
    requireOption(version, "--version V");
    requireOption(source, "--source NS.TABLE");
    requireOption(target, "--target NS.TABLE");
    VersionName.check("--pipeline", pipeline);
    VersionName.check("--version", version);
    TableName.parse("--source", source);
    TableName.parse("--target", target);
  }

  @Override
  public Integer call() {
    if (system.given()) {
      fromSystem();
    }
    RecomputeRequest request = RecomputeRequest.of(pipeline, version, source, sourceSnapshot, target, pipelinesDir,
        change.reason(), change.actor()).onEngine(engine);
    if (change.dryRun()) {
      RecomputePlan plan = recomputeService.plan(request);
      RecomputeEngine on = recomputeService.engine(request);
      var json = RecomputeReport.json("dry-run", ExitCodes.OK, plan, null);
      json.put("engine", on.id());
      String text = RecomputeReport.planText(plan) + String.format("  %-16s %s%n", "engine", on.id())
          + (on == RecomputeEngine.SPARK && !plan.upToDate()
              ? String.format("  %-16s %s%n", "spark query", recomputeService.sparkQuery(request, plan)) : "");
      return DryRunLock.print(spec, output, json, text,
          plan.upToDate() ? null : recomputeService.lockConflict(request),
          plan.upToDate() ? "nothing to do, no lock needed" : "no other run writes " + target
              + " and no restore writes " + source);
    }
    RecomputeOutcome outcome = recomputeService.recompute(request);
    Output.print(spec, output, RecomputeReport.json(outcome.status(), ExitCodes.OK, outcome.plan(), outcome),
        RecomputeReport.resultText(outcome));
    return ExitCodes.OK;
  }

  /**
   * Fills the options from the system file and its manifest: the version and source snapshot the manifest pins
   * (explicit --version / --source-snapshot win); before any manifest, the file's version and the source's
   * current snapshot.
   */
  private void fromSystem() {
    SystemDefinition definition = system.load(systems);
    FeatureSpec featureSpec = definition.feature(feature);
    pipeline = featureSpec.pipeline();
    source = featureSpec.source();
    target = featureSpec.target();
    if (pipelinesDir == null && featureSpec.pipelines() != null) {
      pipelinesDir = Path.of(featureSpec.pipelines());
    }
    if (engine == null) {
      engine = featureSpec.engine();
    }
    Optional<Manifest> manifest = manifests.givenOrLatest(definition.name(), manifestId);
    Optional<ManifestContent.FeaturePin> pin = manifest.flatMap(m -> m.content().feature(feature));
    if (version == null) {
      version = pin.map(ManifestContent.FeaturePin::pipelineVersion).orElse(featureSpec.version());
    }
    if (sourceSnapshot == null) {
      sourceSnapshot = pin.map(ManifestContent.FeaturePin::sourceSnapshotId).orElse(null);
    }
    if (version == null) {
      throw new BadInputException("no pipeline version for feature " + feature + " of system " + definition.name()
          + ": no manifest pins one and the system file gives no 'version'; give --version V");
    }
  }

  private void requireOption(String value, String option) {
    if (value == null) {
      throw new ParameterException(spec.commandLine(), "give " + option + ", or --system NAME --feature NAME");
    }
  }
}
