package org.rollbackjobs.jobs.rollback;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rollbackjobs.jobs.cli.Output;
import org.rollbackjobs.jobs.notify.WebhookNotifier;
import org.rollbackjobs.jobs.verify.Finding;

/** The result of {@code rollback} as one JSON object and as text for people. */
public final class RollbackReport {
  private RollbackReport() {}

  public static Map<String, Object> json(RollbackOutcome o) {
    RollbackPlan plan = o.plan();
    Map<String, Object> json = Output.result("rollback", o.status(), o.exitCode());
    json.put("system", plan.system());
    json.put("manifest-id", plan.manifestId());
    json.put("plan-id", plan.planId());
    json.put("level", plan.level());
    Map<String, Object> approvals = new LinkedHashMap<>();
    approvals.put("required", o.approvals() == null ? List.of() : o.approvals().required());
    approvals.put("given", o.approvals() == null ? List.of() : o.approvals().given().stream()
        .map(a -> Map.of("approver", a.approver(), "role", a.role(), "approved-at", a.approvedAt().toString()))
        .toList());
    approvals.put("missing", o.approvals() == null ? List.of() : o.approvals().missing());
    json.put("approvals", approvals);
    json.put("guards", o.guards().stream().map(g -> Map.of("name", g.name(), "ok", g.ok(), "message", g.message()))
        .toList());
    json.put("components", o.components());
    json.put("time-to-rollback-ms", o.timeToRollbackMs());
    Map<String, Object> verify = new LinkedHashMap<>();
    verify.put("clean", o.findingsAfter() == null ? null : o.findingsAfter().isEmpty());
    verify.put("findings", o.findingsAfter() == null ? List.of() : o.findingsAfter());
    json.put("verify", verify);
    json.put("findings-before", plan.findings().size());
    json.put("job-execution-id", o.jobExecutionId());
    json.put("notifications", o.notifications().stream().map(WebhookNotifier.Delivery::json).toList());
    if (o.error() != null) {
      json.put("error", o.error());
    }
    return json;
  }

  public static String text(RollbackOutcome o) {
    RollbackPlan plan = o.plan();
    StringBuilder out = new StringBuilder();
    out.append(headline(o)).append('\n');
    out.append(String.format("Plan %s: level %d (%s), %d findings against manifest %d%n", plan.planId(), plan.level(),
        RollbackLevel.describe(plan.level()), plan.findings().size(), plan.manifestId()));
    String format = "  %-8s %-24s %-12s %-10s %9s  %s%n";
    out.append(String.format(format, "KIND", "NAME", "ACTION", "STATUS", "MS", "FROM -> TO"));
    for (Map<String, Object> c : o.components()) {
      out.append(String.format(format, c.get("component"), c.get("name"), c.get("action"), c.get("status"),
          c.get("duration-ms") == null ? "-" : c.get("duration-ms"), c.get("from") + " -> " + c.get("to")));
      if (c.get("planned") instanceof Map<?, ?> planned && !planned.isEmpty()) {
        out.append("           ").append(facts(planned)).append('\n');
      }
      if (c.get("error") != null) {
        out.append("           error: ").append(c.get("error")).append('\n');
      }
    }
    out.append("Guards:\n");
    o.guards().forEach(g -> out.append(String.format("  %-4s %-11s %s%n", g.ok() ? "ok" : "FAIL", g.name(),
        g.message())));
    if (o.approvals() != null && !o.approvals().required().isEmpty()) {
      out.append("Approvals: required ").append(o.approvals().required()).append(", given ")
          .append(o.approvals().given().stream().map(a -> a.role() + " by " + a.approver()).toList()).append('\n');
    }
    if (o.findingsAfter() != null) {
      out.append("Verify: ").append(o.findingsAfter().isEmpty() ? "clean" : o.findingsAfter().size() + " findings")
          .append('\n');
      for (Finding f : o.findingsAfter()) {
        out.append("  ").append(f.component()).append(' ').append(f.name()).append(": ").append(f.kind())
            .append(": ").append(f.message()).append('\n');
      }
    }
    if (o.timeToRollbackMs() != null) {
      out.append(String.format("Time to rollback: %.1f s%n", o.timeToRollbackMs() / 1000.0));
    }
    if (!o.notifications().isEmpty()) {
      out.append("Notifications:\n");
      o.notifications().forEach(n -> out.append(String.format("  %-9s %-9s %s (%d attempt%s%s)%s%n", n.event(),
          n.status(), n.url(), n.attempts(), n.attempts() == 1 ? "" : "s",
          n.httpStatus() == null ? "" : ", HTTP " + n.httpStatus(), n.error() == null ? "" : ": " + n.error())));
    }
    return out.toString();
  }

  private static String headline(RollbackOutcome o) {
    RollbackPlan plan = o.plan();
    String target = plan.system() + " to manifest " + plan.manifestId();
    return switch (o.status()) {
      case "planned" -> "Rollback of " + target + " (dry run, nothing changed): "
          + (o.exitCode() == 0 ? "may run now" : "would be refused");
      case "noop" -> "Rollback of " + target + ": the system already equals the manifest; nothing changed.";
      case "completed" -> "Rolled back " + target + "; verify is clean (job execution " + o.jobExecutionId() + ").";
      case "mixed" -> "Rolled back " + target + ", but verify still finds mixed-version state (job execution "
          + o.jobExecutionId() + ").";
      case "refused" -> "Rollback of " + target + " refused; nothing changed.";
      default -> "Rollback of " + target + " failed (job execution " + o.jobExecutionId() + ").";
    };
  }

  /** {@code documents: 100,000; reusable: 99,000; to embed: 1,000} (counts grouped, ids as they are). */
  private static String facts(Map<?, ?> facts) {
    List<String> parts = new ArrayList<>();
    facts.forEach((key, value) -> {
      boolean count = (value instanceof Long || value instanceof Integer) && !String.valueOf(key).contains("id")
          && !String.valueOf(key).contains("snapshot");
      parts.add(String.valueOf(key).replace('-', ' ') + ": "
          + (count ? String.format("%,d", ((Number) value).longValue()) : value));
    });
    return String.join("; ", parts);
  }
}
