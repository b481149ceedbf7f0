package org.rollbackjobs.jobs.drill;

import java.util.List;
import java.util.Map;
import org.rollbackjobs.jobs.cli.Output;
import org.rollbackjobs.jobs.verify.Finding;

/** The result of {@code drill} as one JSON object and as text for people. */
public final class DrillReport {
  private DrillReport() {}

  public static Map<String, Object> json(DrillOutcome o) {
    Map<String, Object> json = Output.result("drill", o.status(), o.exitCode());
    json.put("run-id", o.runId());
    json.put("verdict", o.verdict());
    json.put("system", o.system());
    json.put("manifest-id", o.manifestId());
    json.put("inject", o.inject().label());
    json.put("hypothesis", o.hypothesis());
    json.put("detected", o.detected());
    json.put("production-untouched", o.productionUntouched());
    json.put("phases", o.phases());
    json.put("time-to-rollback-ms", o.timeToRollbackMs());
    json.put("findings-before", o.findingsBefore() == null ? List.of() : o.findingsBefore());
    json.put("findings-after", o.findingsAfter() == null ? List.of() : o.findingsAfter());
    json.put("production", o.fingerprints() == null ? List.of() : o.fingerprints());
    json.put("guards", o.guards() == null ? List.of() : o.guards().stream()
        .map(g -> Map.of("name", g.name(), "ok", g.ok(), "message", g.message())).toList());
    json.put("components", o.components() == null ? List.of() : o.components());
    json.put("job-execution-id", o.jobExecutionId());
    json.put("kept", o.kept());
    json.put("removed", o.removed() == null ? List.of() : o.removed());
    if (o.sandboxHint() != null) {
      json.put("sandbox-removal", o.sandboxHint());
    }
    if (o.error() != null) {
      json.put("error", o.error());
    }
    return json;
  }

  public static String text(DrillOutcome o) {
    StringBuilder out = new StringBuilder();
    out.append(headline(o)).append('\n');
    out.append("Hypothesis: ").append(o.hypothesis()).append('\n');
    if (o.components() != null && !o.components().isEmpty()) {
      out.append(o.runId() == null ? "Plan against production now:\n" : "Rollback in the sandbox:\n");
      String format = "  %-8s %-24s %-12s %-10s %9s%n";
      out.append(String.format(format, "KIND", "NAME", "ACTION", "STATUS", "MS"));
      for (Map<String, Object> c : o.components()) {
        out.append(String.format(format, c.get("component"), c.get("name"), c.get("action"), c.get("status"),
            c.get("duration-ms") == null ? "-" : c.get("duration-ms")));
      }
    }
    if (o.guards() != null) {
      out.append("Guards:\n");
      o.guards().forEach(g -> out.append(String.format("  %-4s %-11s %s%n", g.ok() ? "ok" : "FAIL", g.name(),
          g.message())));
    }
    if (o.detected() != null) {
      out.append("Fault ").append(o.inject()).append(": ").append(o.detected() ? "detected" : "NOT detected")
          .append(" by verify before the rollback\n");
    }
    findings(out, "Verify before the rollback", o.runId() == null ? null : o.findingsBefore());
    findings(out, "Verify after the rollback", o.findingsAfter());
    if (o.fingerprints() != null) {
      out.append("Production: ").append(Boolean.TRUE.equals(o.productionUntouched()) ? "untouched" : "CHANGED")
          .append(" (").append(o.fingerprints().size()).append(" parts compared)\n");
      o.fingerprints().stream().filter(p -> !Boolean.TRUE.equals(p.get("same"))).forEach(p -> out.append("  ")
          .append(p.get("name")).append(": ").append(p.get("before")).append(" -> ").append(p.get("after"))
          .append('\n'));
    }
    if (!o.phases().isEmpty()) {
      out.append("Phases:");
      o.phases().forEach(p -> out.append(' ').append(p.get("name")).append(' ').append(p.get("duration-ms"))
          .append(" ms;"));
      out.append('\n');
    }
    if (o.timeToRollbackMs() != null) {
      out.append(String.format("Time to rollback: %.1f s%n", o.timeToRollbackMs() / 1000.0));
    }
    if (o.removed() != null && !o.removed().isEmpty()) {
      out.append("Removed: ").append(String.join("; ", o.removed())).append('\n');
    }
    if (o.sandboxHint() != null) {
      out.append("Sandbox kept: ").append(o.sandboxHint()).append('\n');
    }
    return out.toString();
  }

  private static void findings(StringBuilder out, String title, List<Finding> findings) {
    if (findings == null) {
      return;
    }
    out.append(title).append(": ").append(findings.isEmpty() ? "clean" : findings.size() + " findings").append('\n');
    for (Finding f : findings) {
      out.append("  ").append(f.component()).append(' ').append(f.name()).append(": ").append(f.kind())
          .append(": ").append(f.message()).append('\n');
    }
  }

  private static String headline(DrillOutcome o) {
    String target = o.system() + " to manifest " + o.manifestId();
    return switch (o.status()) {
      case "planned" -> "Drill of " + target + " (dry run, nothing created): "
          + (o.exitCode() == 0 ? "may run now" : "would be refused");
      case "refused" -> "Drill of " + target + " refused; nothing created: " + o.error();
      case "passed" -> "Drill " + o.runId() + " of " + target + " passed.";
      default -> "Drill " + o.runId() + " of " + target + " failed: " + o.error();
    };
  }
}
