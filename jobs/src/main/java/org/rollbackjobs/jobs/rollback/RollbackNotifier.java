package org.rollbackjobs.jobs.rollback;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.rollbackjobs.jobs.notify.WebhookNotifier;
import org.rollbackjobs.jobs.notify.WebhookNotifier.Delivery;
import org.rollbackjobs.jobs.notify.WebhookNotifier.Sending;
import org.rollbackjobs.jobs.verify.Finding;
import org.springframework.stereotype.Component;

/**
 * The webhook notifications of a rollback ({@code rollback.notify.webhooks}): Slack-compatible JSON, a {@code text}
 * line for people in a channel plus structured fields for machines.
 *
 * <ul>
 *   <li>{@code started}: before the {@code system-rollback} job runs (a first run or a continuation), sent in the
 *       background so that a slow webhook never delays the rollback.
 *   <li>{@code completed}: the flow completed. {@code status} says whether verify is clean ({@code completed}, exit
 *       0) or still finds mixed-version state ({@code mixed}, exit 3; {@code verify-clean: false} and the findings'
 *       kinds). It is not a {@code failed} event: nothing is left to restart, and {@code failed} keeps meaning
 *       "a step failed, continue it with restart".
 *   <li>{@code failed}: a step failed (exit 1, restartable) or a continuation was refused inside the job (exit 4).
 *   <li>{@code refused}: a guard refused the rollback before anything changed, with the failed guards.
 * </ul>
 *
 * A dry run and a noop (the system already equals the manifest: no job runs, nothing changes) notify nobody.
 */
@Component
public class RollbackNotifier {
  public static final String STARTED = "started";
  public static final String COMPLETED = "completed";
  public static final String FAILED = "failed";
  public static final String REFUSED = "refused";

  private final WebhookNotifier webhooks;

  public RollbackNotifier(WebhookNotifier webhooks) {
    this.webhooks = webhooks;
  }

  /** Who asked, why, and which execution a continuation continues (null for a first run). */
  record Who(String actor, String reason, Long continuesExecutionId) {}

  /** Sends {@code started} in the background; null when no webhook is configured. */
  Sending started(RollbackPlan plan, Who who) {
    if (!webhooks.enabled()) {
      return null;
    }
    Map<String, Object> payload = payload(STARTED, "running", plan, who);
    long moving = plan.components().stream().filter(ComponentAction::moves).count();
    payload.put("text", String.format("Rollback %s: system %s to manifest %d, level %d (%s), %d component%s to move,"
            + " by %s: \"%s\" (plan %s)", who.continuesExecutionId() == null ? "started"
            : "continued (job execution " + who.continuesExecutionId() + ")", plan.system(), plan.manifestId(),
        plan.level(), RollbackLevel.describe(plan.level()), moving, moving == 1 ? "" : "s", who.actor(), who.reason(),
        plan.planId()));
    return webhooks.send(payload, null);
  }

  /**
   * Sends {@code completed} or {@code failed} for what the job did (after {@code started} at every webhook) and
   * waits for both. Returns every delivery, {@code started}'s first.
   */
  List<Delivery> finished(Sending started, RollbackOutcome outcome, Who who, long durationMs) {
    if (!webhooks.enabled()) {
      return List.of();
    }
    RollbackPlan plan = outcome.plan();
    boolean completed = outcome.status().equals("completed") || outcome.status().equals("mixed");
    Map<String, Object> payload = payload(completed ? COMPLETED : FAILED, outcome.status(), plan, who);
    payload.put("exit-code", outcome.exitCode());
    payload.put("duration-ms", durationMs);
    payload.put("time-to-rollback-ms", outcome.timeToRollbackMs());
    payload.put("job-execution-id", outcome.jobExecutionId());
    payload.put("findings-after", findings(outcome.findingsAfter()));
    payload.put("verify-clean", outcome.findingsAfter() == null ? null : outcome.findingsAfter().isEmpty());
    payload.put("components", outcome.components().stream().filter(c -> !"none".equals(c.get("action")))
        .map(RollbackNotifier::component).toList());
    String target = "system " + plan.system() + " to manifest " + plan.manifestId();
    String took = String.format("%.1f s", durationMs / 1000.0);
    String text;
    if (outcome.status().equals("completed")) {
      text = "Rollback completed: " + target + ", verify clean, in " + took + " (level " + plan.level() + ", by "
          + who.actor() + ", job execution " + outcome.jobExecutionId() + ")";
    } else if (completed) {
      text = "Rollback completed with MIXED-VERSION STATE: " + target + " ran in " + took + " but verify still finds "
          + outcome.findingsAfter().size() + " finding(s): " + String.join(", ", kinds(outcome.findingsAfter())
          .keySet()) + " (job execution " + outcome.jobExecutionId() + ")";
    } else {
      List<String> failedComponents = outcome.components().stream().filter(c -> "failed".equals(c.get("status")))
          .map(c -> c.get("component") + " " + c.get("name")).toList();
      text = "Rollback FAILED: " + target + " after " + took + (failedComponents.isEmpty() ? ""
          : " (" + String.join(", ", failedComponents) + " failed)") + "; continue it with 'restart --execution "
          + outcome.jobExecutionId() + "'";
      payload.put("error", outcome.error());
    }
    payload.put("text", text);
    return webhooks.await(started, webhooks.send(payload, started));
  }

  /** Sends {@code failed} for a job that could not even be launched (after {@code started}), and waits. */
  List<Delivery> notLaunched(Sending started, RollbackPlan plan, Who who, long durationMs, RuntimeException error) {
    if (!webhooks.enabled()) {
      return List.of();
    }
    Map<String, Object> payload = payload(FAILED, "failed", plan, who);
    payload.put("duration-ms", durationMs);
    payload.put("error", String.valueOf(error.getMessage()));
    payload.put("text", "Rollback FAILED: system " + plan.system() + " to manifest " + plan.manifestId()
        + ": the job could not be launched: " + error.getMessage());
    return webhooks.await(started, webhooks.send(payload, started));
  }

  /** Sends {@code refused}, with the guards that failed, and waits. */
  List<Delivery> refused(RollbackPlan plan, List<Guard> guards, String error, Who who) {
    if (!webhooks.enabled()) {
      return List.of();
    }
    Map<String, Object> payload = payload(REFUSED, "refused", plan, who);
    payload.put("exit-code", 4);
    List<Guard> failed = guards.stream().filter(g -> !g.ok()).toList();
    payload.put("guards", failed.stream().map(g -> Map.of("name", g.name(), "message", g.message())).toList());
    payload.put("error", error);
    payload.put("text", String.format("Rollback REFUSED, nothing changed: system %s to manifest %d, level %d, by %s:"
            + " %s", plan.system(), plan.manifestId(), plan.level(), who.actor(),
        failed.isEmpty() ? error : String.join("; ", failed.stream().map(g -> g.name() + ": " + g.message())
            .toList())));
    return webhooks.await(webhooks.send(payload, null));
  }

  private static Map<String, Object> payload(String event, String status, RollbackPlan plan, Who who) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("text", null); // first in the JSON, filled by the caller
    payload.put("event", event);
    payload.put("status", status);
    payload.put("system", plan.system());
    payload.put("manifest-id", plan.manifestId());
    payload.put("plan-id", plan.planId());
    payload.put("level", plan.level());
    payload.put("level-name", RollbackLevel.describe(plan.level()));
    payload.put("actor", who.actor());
    payload.put("reason", who.reason());
    payload.put("exit-code", null);
    payload.put("duration-ms", null);
    payload.put("time-to-rollback-ms", null);
    payload.put("job-execution-id", null);
    payload.put("continues-execution-id", who.continuesExecutionId());
    payload.put("findings-before", findings(plan.findings()));
    payload.put("findings-after", null);
    payload.put("verify-clean", null);
    payload.put("components", plan.components().stream().filter(ComponentAction::moves)
        .map(c -> component(Map.of("component", c.component(), "name", c.name(), "action", c.action(),
            "status", "pending")))
        .toList());
    return payload;
  }

  private static Map<String, Object> component(Map<String, Object> result) {
    Map<String, Object> c = new LinkedHashMap<>();
    for (String key : List.of("component", "name", "action", "status", "duration-ms", "error")) {
      if (result.get(key) != null) {
        c.put(key, result.get(key));
      }
    }
    return c;
  }

  /** {@code {count, kinds: {kind: count}}}, null when there are none to speak of (verify did not run). */
  private static Map<String, Object> findings(List<Finding> findings) {
    if (findings == null) {
      return null;
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("count", findings.size());
    summary.put("kinds", kinds(findings));
    return summary;
  }

  private static Map<String, Integer> kinds(List<Finding> findings) {
    Map<String, Integer> kinds = new TreeMap<>();
    findings.forEach(f -> kinds.merge(f.kind(), 1, Integer::sum));
    return kinds;
  }
}
