package org.rollbackjobs.jobs.rollback;

import java.util.LinkedHashMap;
import java.util.Map;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.jobs.launch.Attempt;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.springframework.stereotype.Service;

/** {@code approve}: one person's approval of one plan in one role, checked and recorded (and audited). */
@Service
public class RollbackApprovals {
  private final RollbackPlans plans;
  private final ApprovalProperties properties;
  private final JobOutcomes outcomes;

  public RollbackApprovals(RollbackPlans plans, ApprovalProperties properties, JobOutcomes outcomes) {
    this.plans = plans;
    this.properties = properties;
    this.outcomes = outcomes;
  }

  /** What an approval did: the plan it approves, and whether it was new. */
  public record Approved(RollbackPlan plan, Approval approval, boolean recorded) {}

  public Approved approve(String system, String planId, String approver, String role, String reason) {
    Attempt attempt = new Attempt("approve", system, approver, reason);
    RollbackPlan plan = outcomes.check(attempt, () -> {
      RollbackPlan found = plans.find(planId).orElseThrow(() -> new BadInputException("no rollback plan " + planId
          + "; plans are made by 'rollback --system " + system + " --to-manifest ID --dry-run', which prints the id"));
      if (!found.system().equals(system)) {
        throw new BadInputException("plan " + planId + " is a plan of system " + found.system() + ", not " + system);
      }
      if (!properties.roles().contains(role)) {
        throw new BadInputException("role '" + role + "' approves no rollback level; roles (rollback.approval.level-N): "
            + (properties.roles().isEmpty() ? "none configured" : String.join(", ", properties.roles())));
      }
      return found;
    });
    boolean recorded = plans.approve(planId, approver, role, reason);
    Approval approval = plans.approvals(planId).stream()
        .filter(a -> a.approver().equals(approver) && a.role().equals(role)).findFirst().orElseThrow();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("plan-id", planId);
    details.put("role", role);
    details.put("level", plan.level());
    details.put("manifest-id", plan.manifestId());
    details.put("recorded", recorded);
    outcomes.done(attempt, details);
    return new Approved(plan, approval, recorded);
  }
}
