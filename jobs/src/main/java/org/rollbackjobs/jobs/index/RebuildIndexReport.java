package org.rollbackjobs.jobs.index;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.rollbackjobs.jobs.cli.Output;
import org.rollbackjobs.vector.index.IndexBuild;
import org.rollbackjobs.vector.index.RebuildPlan;
import org.rollbackjobs.vector.index.ServingState;
import org.rollbackjobs.vector.index.SwitchBack;

/** Text and JSON of a rebuild plan (dry run), a rebuild result and a switch-back. */
public final class RebuildIndexReport {
  private RebuildIndexReport() {}

  public static Map<String, Object> planJson(String status, int exitCode, RebuildIndexService.Planned planned) {
    Map<String, Object> json = Output.result("rebuild-index", status, exitCode);
    json.putAll(planned.plan().toMap());
    json.put("vectors", planned.vectors());
    json.put("stored-snapshot", planned.storedSnapshot());
    if (planned.reuse() != null) {
      json.put("reusable", planned.reuse().reused());
      json.put("to-embed", planned.reuse().toEmbed());
    }
    return json;
  }

  public static String planText(RebuildIndexService.Planned planned) {
    RebuildPlan plan = planned.plan();
    StringBuilder out = new StringBuilder();
    out.append("Dry run: rebuild index ").append(plan.index()).append(" from embedding version ")
        .append(plan.version().name()).append(". Nothing was changed.\n");
    if (plan.noop()) {
      out.append("The index already serves an equivalent build (same version, source snapshot and index):"
          + " the rebuild would do nothing (--force rebuilds anyway).\n");
    }
    row(out, "serving now", serving(plan.serving()));
    if (!plan.serving().versions().isEmpty()) {
      row(out, "versions now", plan.serving().versions().entrySet().stream()
          .map(e -> e.getKey() + (e.getValue() >= 0 ? ": " + e.getValue() : "")).collect(Collectors.joining(", "))
          + (plan.serving().mixed() ? "  (MIXED)" : ""));
    }
    row(out, "embedding version", plan.version().describe() + ", status " + plan.versionStatus());
    row(out, "vectors from", planned.vectors() + (planned.reuse() == null ? "" : String.format(
        "; documents: %,d; reusable: %,d (embedding cache); to embed: %,d", planned.reuse().documents(),
        planned.reuse().reused(), planned.reuse().toEmbed())));
    row(out, "source", plan.source() + " (" + plan.documents() + " documents, doc_id " + plan.docIdType().sql() + ")");
    row(out, "ann index", plan.ann().shape() + ", maintenance_work_mem "
        + (plan.ann().maintenanceWorkMem() == null ? "server default" : plan.ann().maintenanceWorkMem())
        + ", parallel workers " + (plan.ann().parallelWorkers() < 0 ? "server default" : plan.ann().parallelWorkers()));
    row(out, "validation", "row count, ids, version, dimension, index valid, recall@" + plan.probe().k()
        + " >= " + plan.probe().recallFloor() + " on " + plan.probe().sampleSize() + " probes");
    row(out, "rollback", plan.rollback() ? "yes: would quarantine " + (plan.wouldQuarantine().isEmpty() ? "nothing"
        : String.join(", ", plan.wouldQuarantine())) : "no");
    row(out, "cool-down", plan.coolDown().toString().substring(2).toLowerCase(Locale.ROOT) + " for the replaced build");
    row(out, "would retire", plan.retirable().isEmpty() ? "none"
        : plan.retirable().stream().map(b -> "build " + b.id()).collect(Collectors.joining(", ")));
    return out.toString();
  }

  public static Map<String, Object> resultJson(RebuildIndexService.RebuildOutcome outcome, String index) {
    Map<String, Object> json = Output.result("rebuild-index", outcome.status(), 0);
    json.put("index", index);
    if (outcome.planned() != null) {
      RebuildPlan plan = outcome.planned().plan();
      json.put("embedding-version", plan.version().name());
      json.put("source", plan.source());
      json.put("source-snapshot", plan.sourceSnapshot());
      json.put("documents", plan.documents());
      json.put("vectors", outcome.planned().vectors());
      json.put("was-mixed", plan.serving().mixed());
    }
    if (outcome.build() != null) {
      json.put("build-id", outcome.build().get("build-id"));
      json.put("build-table", outcome.build().get("table"));
      json.put("rows", outcome.build().get("rows"));
      json.put("vectors-reused", outcome.build().get("vectors-reused"));
      json.put("vectors-embedded", embedded(outcome.build()));
      json.put("serving-build-id", outcome.switched().get("serving-build-id"));
      json.put("replaced-build-id", outcome.switched().get("replaced-build-id"));
      json.put("legacy-table", outcome.switched().get("legacy-table"));
      json.put("rollback", outcome.switched().get("rollback"));
      json.put("quarantined", outcome.switched().get("quarantined"));
      json.put("lifted-quarantine", outcome.switched().get("lifted-quarantine"));
      json.put("unregistered-versions", outcome.switched().get("unregistered-versions"));
      json.put("validation", outcome.validation());
    } else if (outcome.planned() != null) {
      json.put("serving-build-id", outcome.planned().plan().serving().servingBuildId());
    }
    json.put("retired-builds", outcome.retired());
    json.put("step-duration-ms", outcome.stepMillis());
    json.put("duration-ms", outcome.duration().toMillis());
    json.put("job-execution-id", outcome.jobExecutionId());
    return json;
  }

  public static String resultText(RebuildIndexService.RebuildOutcome outcome, String index) {
    StringBuilder out = new StringBuilder();
    if ("noop".equals(outcome.status())) {
      out.append(index).append(" already serves an equivalent build (")
          .append(outcome.planned().plan().serving().servingBuildId())
          .append("): nothing to do (--force rebuilds anyway).\n");
      row(out, "retired", outcome.retired().isEmpty() ? "none" : outcome.retired().size() + " builds past cool-down");
      return out.toString();
    }
    Map<String, Object> build = outcome.build();
    Map<String, Object> switched = outcome.switched();
    out.append("Rebuilt index ").append(index).append(": now serving build ").append(build.get("build-id"))
        .append(" (").append(build.get("table")).append("), ").append(build.get("rows")).append(" rows of ")
        .append(build.get("embedding-version")).append(".\n");
    row(out, "source", build.get("source") + (build.get("source-snapshot") == null ? ""
        : " @ snapshot " + build.get("source-snapshot")));
    row(out, "vectors", build.get("vectors-reused") + " reused from the embedding cache, " + embedded(build)
        + " computed");
    row(out, "replaced", switched.get("replaced-build-id") == null ? "nothing (new index)"
        : "build " + switched.get("replaced-build-id") + (switched.get("legacy-table") == null ? ""
            : " (the table made outside rollback-jobs, renamed " + switched.get("legacy-table") + ")")
            + ", kept for the cool-down; switch back with --switch-back");
    row(out, "rollback", Boolean.TRUE.equals(switched.get("rollback")) ? "yes" : "no");
    row(out, "quarantined", list(switched.get("quarantined")));
    if (!list(switched.get("lifted-quarantine")).equals("none")) {
      row(out, "quarantine lifted", list(switched.get("lifted-quarantine")));
    }
    Map<String, Object> v = outcome.validation();
    row(out, "validation", "passed: " + v.get("rows") + " rows for " + v.get("source-documents") + " documents, "
        + v.get("missing-ids") + " missing, " + v.get("extra-ids") + " extra, recall " + v.get("recall") + " ("
        + v.get("recall-probes") + " probes, floor " + v.get("recall-floor") + ")");
    row(out, "retired", outcome.retired().isEmpty() ? "none" : outcome.retired().size() + " builds past cool-down");
    row(out, "steps", outcome.stepMillis().entrySet().stream().map(e -> e.getKey() + " " + e.getValue() + " ms")
        .collect(Collectors.joining(", ")));
    row(out, "duration", outcome.duration().toMillis() + " ms");
    row(out, "job execution", String.valueOf(outcome.jobExecutionId()));
    return out.toString();
  }

  public static Map<String, Object> switchBackPlanJson(String status, SwitchBack.Plan plan) {
    Map<String, Object> json = Output.result("rebuild-index", status, 0);
    json.put("switch-back", true);
    json.putAll(plan.toMap());
    return json;
  }

  public static String switchBackPlanText(SwitchBack.Plan plan) {
    StringBuilder out = new StringBuilder("Dry run: switch index " + plan.index() + " back to build "
        + plan.target().id() + ". Nothing was changed.\n");
    row(out, "serving now", plan.serving() == null ? "nothing" : describe(plan.serving()));
    row(out, "switch back to", describe(plan.target()));
    row(out, "lift quarantine", plan.liftQuarantine().isEmpty() ? "none" : String.join(", ", plan.liftQuarantine()));
    return out.toString();
  }

  public static Map<String, Object> switchBackJson(RebuildIndexService.SwitchBackOutcome outcome) {
    Map<String, Object> json = switchBackPlanJson("completed", outcome.plan());
    json.put("serving-build-id", outcome.result().get("serving-build-id"));
    json.put("replaced-build-id", outcome.result().get("replaced-build-id"));
    json.put("lifted-quarantine", outcome.result().get("lifted-quarantine"));
    json.put("job-execution-id", outcome.jobExecutionId());
    return json;
  }

  public static String switchBackText(RebuildIndexService.SwitchBackOutcome outcome) {
    StringBuilder out = new StringBuilder("Switched index " + outcome.plan().index() + " back to build "
        + outcome.result().get("serving-build-id") + ".\n");
    row(out, "now serving", describe(outcome.plan().target()));
    row(out, "replaced", "build " + outcome.result().get("replaced-build-id") + ", kept for the cool-down");
    row(out, "quarantine lifted", list(outcome.result().get("lifted-quarantine")));
    row(out, "job execution", String.valueOf(outcome.jobExecutionId()));
    return out.toString();
  }

  private static String describe(IndexBuild build) {
    return "build " + build.id() + " (" + build.buildTable() + ", " + build.kind() + ", " + build.embeddingVersion()
        + (build.rows() == null ? "" : ", " + build.rows() + " rows") + ")";
  }

  private static String serving(ServingState serving) {
    return switch (serving.kind()) {
      case NONE -> "nothing (a new index)";
      case MANAGED_VIEW -> "build " + serving.servingBuildId() + ", " + serving.rows() + " rows, "
          + serving.dimension() + " dims";
      case TABLE -> "a table made outside rollback-jobs, " + serving.rows() + " rows, " + serving.dimension() + " dims";
      case OTHER -> "a relation that cannot be switched";
    };
  }

  private static String list(Object value) {
    if (value instanceof List<?> list && !list.isEmpty()) {
      return list.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
    return "none";
  }

  private static void row(StringBuilder out, String label, String value) {
    out.append(String.format("  %-21s %s%n", label, value));
  }

  /** Rows whose vectors this build computed (the others came from the embedding cache). */
  private static Long embedded(Map<String, Object> build) {
    return build.get("rows") instanceof Number rows && build.get("vectors-reused") instanceof Number reused
        ? rows.longValue() - reused.longValue() : null;
  }
}
