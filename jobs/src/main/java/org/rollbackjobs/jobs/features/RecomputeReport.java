package org.rollbackjobs.jobs.features;

import java.time.Duration;
import java.util.Map;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.jobs.cli.Output;

/** Text and JSON forms of a recompute plan (dry run) and result. */
public final class RecomputeReport {
  private RecomputeReport() {}

  public static Map<String, Object> json(String status, int exitCode, RecomputePlan plan,
      RecomputeService.RecomputeOutcome outcome) {
    Map<String, Object> json = Output.result(RecomputeFeaturesJobConfiguration.JOB_NAME, status, exitCode);
    json.put("pipeline", plan.pipeline());
    json.put("version", plan.pipelineVersion());
    json.put("pipeline-hash", plan.pipelineHash());
    json.put("pipeline-origin", plan.pipelineOrigin());
    json.put("source", plan.sourceTable());
    json.put("source-snapshot", plan.sourceSnapshotId());
    json.put("source-snapshot-time", plan.sourceSnapshotTime().toString());
    json.put("target", plan.targetTable());
    json.put("target-existed", plan.targetExists());
    json.put("up-to-date", plan.upToDate());
    json.put("schema-changes", plan.schemaChanges());
    json.put("files", plan.files());
    json.put("rows", plan.rows());
    json.put("delete-files", plan.deleteFiles());
    json.put("map-partitions", plan.partitions());
    json.put("reduce-buckets", plan.buckets());
    if (outcome != null) {
      json.putAll(outcome.result());
      json.put("duration-ms", outcome.duration().toMillis());
      json.put("job-execution-id", outcome.jobExecutionId());
    }
    return json;
  }

  public static String planText(RecomputePlan plan) {
    StringBuilder out = new StringBuilder();
    out.append("Dry run: recompute ").append(plan.targetTable()).append(" with ").append(plan.pipeline())
        .append(" version ").append(plan.pipelineVersion()).append(" from ").append(plan.sourceTable())
        .append(" snapshot ").append(plan.sourceSnapshotId()).append(". Nothing was changed.\n");
    if (plan.upToDate()) {
      out.append("The feature table already holds this pipeline version's output for this snapshot: nothing to do.\n");
    }
    common(out, plan);
    row(out, "to read", plan.rows() + " rows in " + plan.files() + " data files (" + plan.deleteFiles()
        + " delete files), " + plan.splits() + " splits");
    row(out, "parallelism", plan.partitions() + " map partitions, " + plan.buckets() + " reduce buckets");
    if (!plan.schemaChanges().isEmpty()) {
      out.append("Feature table schema changes:\n");
      plan.schemaChanges().forEach(c -> out.append("  ").append(c).append('\n'));
    }
    return out.toString();
  }

  public static String resultText(RecomputeService.RecomputeOutcome outcome) {
    RecomputePlan plan = outcome.plan();
    StringBuilder out = new StringBuilder();
    if ("noop".equals(outcome.status())) {
      out.append(plan.targetTable()).append(" already holds ").append(plan.pipeline()).append(" version ")
          .append(plan.pipelineVersion()).append(" computed from ").append(plan.sourceTable()).append(" snapshot ")
          .append(plan.sourceSnapshotId()).append(": nothing to do.\n");
    } else {
      out.append("Recomputed ").append(plan.targetTable()).append(" with ").append(plan.pipeline())
          .append(" version ").append(plan.pipelineVersion()).append(".\n");
    }
    common(out, plan);
    Map<String, Object> r = outcome.result();
    row(out, "noop".equals(outcome.status()) ? "current snapshot" : "new snapshot", String.valueOf(r.get("new-snapshot")));
    if (r.containsKey("rows-read")) {
      row(out, "rows", r.get("rows-read") + " read, " + r.get("rows-written") + " written in " + r.get("data-files")
          + " data files" + (((Number) r.getOrDefault("spills", 0)).intValue() > plan.partitions()
              ? " (" + r.get("spills") + " spills to disk)" : ""));
    }
    plan.schemaChanges().forEach(c -> row(out, "schema", c));
    row(out, "duration", format(outcome.duration()));
    if (outcome.jobExecutionId() != null) {
      row(out, "job execution", String.valueOf(outcome.jobExecutionId()));
    }
    return out.toString();
  }

  private static void common(StringBuilder out, RecomputePlan plan) {
    row(out, "pipeline", plan.pipeline() + " version " + plan.pipelineVersion() + " (" + plan.pipelineHash() + ")");
    row(out, "defined in", plan.pipelineOrigin());
    row(out, "source", plan.sourceTable() + " snapshot " + plan.sourceSnapshotId() + " (" + plan.sourceSnapshotTime() + ")");
    row(out, "target", plan.targetTable() + (plan.targetExists() ? "" : " (created by the commit)"));
  }

  private static String format(Duration duration) {
    return duration.toMillis() + " ms";
  }

  private static void row(StringBuilder out, String label, String value) {
    out.append(String.format("  %-16s %s%n", label, value));
  }
}
