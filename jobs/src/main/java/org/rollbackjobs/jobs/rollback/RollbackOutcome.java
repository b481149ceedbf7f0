package org.rollbackjobs.jobs.rollback;

import java.util.List;
import java.util.Map;
import org.rollbackjobs.jobs.notify.WebhookNotifier.Delivery;
import org.rollbackjobs.jobs.verify.Finding;

/**
 * What a {@code rollback} did or would do, as the command prints it.
 *
 * @param status {@code completed}, {@code noop}, {@code mixed}, {@code failed}, {@code refused} or {@code planned}
 * @param components one entry per component (see {@link ComponentResults})
 * @param findingsAfter verify's findings at the end (null when verify did not run)
 * @param timeToRollbackMs from the first start of the rollback to its verified end (null when it did not run)
 * @param error why it failed or was refused, with what to do
 * @param notifications the webhook deliveries of this run ({@link RollbackNotifier}), delivered or not
 */
public record RollbackOutcome(String status, int exitCode, RollbackPlan plan, ApprovalCheck.Status approvals,
    List<Guard> guards, List<Map<String, Object>> components, List<Finding> findingsAfter, Long timeToRollbackMs,
    Long jobExecutionId, String error, List<Delivery> notifications) {

  public RollbackOutcome {
    notifications = notifications == null ? List.of() : List.copyOf(notifications);
  }

  /** An outcome before any notification was sent. */
  public RollbackOutcome(String status, int exitCode, RollbackPlan plan, ApprovalCheck.Status approvals,
      List<Guard> guards, List<Map<String, Object>> components, List<Finding> findingsAfter, Long timeToRollbackMs,
      Long jobExecutionId, String error) {
    this(status, exitCode, plan, approvals, guards, components, findingsAfter, timeToRollbackMs, jobExecutionId, error,
        List.of());
  }

  public RollbackOutcome withNotifications(List<Delivery> deliveries) {
    return new RollbackOutcome(status, exitCode, plan, approvals, guards, components, findingsAfter, timeToRollbackMs,
        jobExecutionId, error, deliveries);
  }
}
