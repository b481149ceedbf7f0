package org.rollbackjobs.schedules.alert;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.rollbackjobs.schedules.SchedulerProperties;
import org.rollbackjobs.schedules.file.AlertRule;
import org.rollbackjobs.schedules.launch.JobCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.task.TaskExecutor;
import org.springframework.stereotype.Component;

/**
 * The rollback an alert starts, off the request thread: the plan first ({@code rollback --dry-run}); a plan whose
 * level is at most the rule's {@code auto-approve-up-to-level} gets the approvals it needs recorded by the scheduler
 * and runs; a higher one is refused once for real (so the rollback's notification webhooks are told which approvals
 * are missing, with the plan id and the {@code approve} command), then waits for the approvals and runs.
 */
@Component
public class AlertRollbacks {
  private static final Logger log = LoggerFactory.getLogger(AlertRollbacks.class);
  private final JobCommand jobs;
  private final AlertRecords records;
  private final SchedulerProperties properties;
  private final TaskExecutor executor;

  public AlertRollbacks(JobCommand jobs, AlertRecords records, SchedulerProperties properties,
      @Qualifier("alertRollbackExecutor") TaskExecutor executor) {
    this.jobs = jobs;
    this.records = records;
    this.properties = properties;
    this.executor = executor;
  }

  public void start(AlertRecords.Key key, AlertRule rule, AlertmanagerPayload.Alert alert) {
    inBackground(key, () -> run(key, rule, alert, Instant.now().plus(properties.approvalTimeout()), false));
  }

  /**
   * Goes on waiting for the approvals of a rollback another instance (or this one before a restart) started and
   * stopped waiting for: its notification was sent then, the approval timeout counts from when the alert came.
   */
  public void resume(AlertRecords.Waiting waiting, AlertRule rule) {
    log.info("alert rollback {}: taking over the wait for approvals", waiting.key());
    inBackground(waiting.key(), () -> run(waiting.key(), rule, waiting.alert(),
        waiting.receivedAt().plus(properties.approvalTimeout()), true));
  }

  private void inBackground(AlertRecords.Key key, Runnable rollback) {
    executor.execute(() -> jobs.work(() -> {
      try {
        rollback.run();
      } catch (RuntimeException e) {
        log.error("alert rollback {}: {}", key, e.toString(), e);
        records.update(key, "aborted", null, null, null, null);
      }
      return null;
    }));
  }

  private void run(AlertRecords.Key key, AlertRule rule, AlertmanagerPayload.Alert alert, Instant deadline,
      boolean told) {
    Map<String, String> labels = alert.labelsOrEmpty();
    String reason = reason(alert);
    int approvalsRecorded = 0;
    while (true) {
      JobCommand.Result plan = jobs.run(rule.rollbackArguments(labels, reason, true), properties.rollbackTimeout());
      String planId = plan.text("plan-id");
      Integer level = plan.json() != null && plan.json().hasNonNull("level") ? plan.json().get("level").asInt() : null;
      if (plan.aborted()) {
        records.update(key, "aborted", planId, level, null, json(plan));
        return;
      }
      if (plan.exitCode() == 0) {
        records.update(key, "running", planId, level, null, null);
        JobCommand.Result done = jobs.run(rule.rollbackArguments(labels, reason, false), properties.rollbackTimeout());
        records.update(key, status(done), done.text("plan-id"), level, done.stopped() ? null : done.exitCode(),
            json(done));
        log.info("alert rollback {}: {} (exit {})", key, status(done), done.exitCode());
        return;
      }
      List<String> missing = missingApprovals(plan);
      if (plan.exitCode() != 4 || missing == null) {
        records.update(key, plan.exitCode() == 4 ? "refused" : "failed", planId, level, plan.exitCode(), json(plan));
        return;
      }
      if (level != null && level <= rule.autoApproveUpToLevel() && approvalsRecorded == 0) {
        for (String role : missing) {
          JobCommand.Result approved = jobs.run(rule.approveArguments(labels, planId, role,
              "auto-approved: level " + level + " <= auto-approve-up-to-level of the alert rule; " + reason),
              Duration.ofMinutes(5));
          if (approved.exitCode() != 0) {
            records.update(key, "failed", planId, level, approved.exitCode(), json(approved));
            return;
          }
        }
        approvalsRecorded = missing.size();
        continue;
      }
      if (!told) {
        // the real command is refused by its approval guard, which tells the notification webhooks what to approve
        records.update(key, "waiting-approval", planId, level, 4, json(plan));
        jobs.run(rule.rollbackArguments(labels, reason, false), properties.rollbackTimeout());
        told = true;
        log.info("alert rollback {}: plan {} (level {}) waits for approval by {}", key, planId, level, missing);
      }
      if (Instant.now().isAfter(deadline)) {
        records.update(key, "expired", planId, level, 4, json(plan));
        return;
      }
      records.stillWaiting(key);
      if (!jobs.pause(properties.approvalPoll())) {
        // the scheduler stops: the record stays waiting-approval, for an instance to take over (AbandonedWaits)
        log.info("alert rollback {}: stopped waiting for approvals of plan {}; another instance, or this one once"
            + " restarted, takes the wait over", key, planId);
        return;
      }
    }
  }

  /** The roles still to approve when approval is the only guard that failed; else null. */
  static List<String> missingApprovals(JobCommand.Result plan) {
    JsonNode json = plan.json();
    if (json == null || !json.has("guards")) {
      return null;
    }
    for (JsonNode guard : json.get("guards")) {
      if (!guard.path("ok").asBoolean() && !"approval".equals(guard.path("name").asText())) {
        return null;
      }
    }
    List<String> missing = new ArrayList<>();
    json.path("approvals").path("missing").forEach(role -> missing.add(role.asText()));
    return missing.isEmpty() ? null : missing;
  }

  private static String status(JobCommand.Result done) {
    if (done.aborted()) {
      return "aborted";
    }
    return switch (done.exitCode()) {
      case 0 -> "noop".equals(done.text("status")) ? "noop" : "completed";
      case 3 -> "mixed";
      case 4 -> "refused";
      default -> "failed";
    };
  }

  private static String json(JobCommand.Result result) {
    return result.json() == null ? null : result.json().toString();
  }

  /** The reason recorded with the rollback: the alert, on one line. */
  static String reason(AlertmanagerPayload.Alert alert) {
    Map<String, String> labels = alert.labelsOrEmpty();
    String summary = alert.annotations() == null ? null : alert.annotations().get("summary");
    String reason = "alert " + labels.getOrDefault("alertname", "?") + " (fingerprint " + alert.fingerprint()
        + ", firing since " + alert.startsAt() + ")" + (summary == null ? "" : ": " + summary);
    reason = reason.replaceAll("[\\p{Cntrl}]", " ");
    return reason.length() > 500 ? reason.substring(0, 500) : reason;
  }
}
