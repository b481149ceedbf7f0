package org.rollbackjobs.schedules.alert;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.rollbackjobs.schedules.SchedulerProperties;
import org.rollbackjobs.schedules.file.AlertRule;
import org.rollbackjobs.schedules.file.Schedules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

/**
 * Rollbacks started by an alert that wait for approvals outlive the instance that waits: it shows itself on the
 * record at every poll, and when it has been silent for {@code rollback.scheduler.approval-takeover} (it stopped,
 * crashed or lost the database) this instance (or whichever takes the record first) goes on waiting, and runs the
 * rollback once approved. Checked at start and then at every poll.
 */
@Component
public class AbandonedWaits implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(AbandonedWaits.class);
  private static final String RULE_GONE = "{\"error\": \"the alert rule that started this rollback is no longer in"
      + " the schedules file (or no longer matches the alert): not resumed\"}";

  private final AlertRecords records;
  private final AlertRollbacks rollbacks;
  private final Schedules schedules;
  private final TaskScheduler scheduler;
  private final SchedulerProperties properties;
  private ScheduledFuture<?> sweeps;

  public AbandonedWaits(AlertRecords records, AlertRollbacks rollbacks, Schedules schedules, TaskScheduler scheduler,
      SchedulerProperties properties) {
    this.records = records;
    this.rollbacks = rollbacks;
    this.schedules = schedules;
    this.scheduler = scheduler;
    this.properties = properties;
  }

  /** Takes over every wait whose instance has been silent for the take-over time; returns how many. */
  int takeOver() {
    List<AlertRecords.Waiting> abandoned = records.takeOverAbandonedWaits(properties.approvalTakeover());
    for (AlertRecords.Waiting waiting : abandoned) {
      List<AlertRule> rules = schedules.alerts();
      AlertRule rule = waiting.rule() < rules.size() ? rules.get(waiting.rule()) : null;
      if (rule == null || !rule.matches(waiting.alert().labelsOrEmpty())) {
        log.warn("alert rollback {}: its rule {} is gone from the schedules file; recorded aborted", waiting.key(),
            waiting.rule());
        records.update(waiting.key(), "aborted", null, null, null, RULE_GONE);
        continue;
      }
      rollbacks.resume(waiting, rule);
    }
    return abandoned.size();
  }

  @Override
  public void start() {
    Duration poll = properties.approvalPoll();
    sweeps = scheduler.scheduleWithFixedDelay(() -> {
      try {
        takeOver();
      } catch (RuntimeException e) {
        log.warn("checking for abandoned approval waits failed (next check in {}): {}", poll, e.toString());
      }
    }, poll);
  }

  @Override
  public void stop() {
    if (sweeps != null) {
      sweeps.cancel(false);
      sweeps = null;
    }
  }

  @Override
  public boolean isRunning() {
    return sweeps != null;
  }
}
