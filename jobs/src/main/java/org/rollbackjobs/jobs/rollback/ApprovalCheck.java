package org.rollbackjobs.jobs.rollback;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The approval guard: a plan needs one approval per role its level requires ({@link ApprovalProperties}), by
 * distinct people, none of them the actor, all of this very plan id. Approvals of an older plan of the same
 * system and manifest do not count: the state changed since.
 */
@Component
public class ApprovalCheck {
  private final ApprovalProperties properties;
  private final RollbackPlans plans;

  public ApprovalCheck(ApprovalProperties properties, RollbackPlans plans) {
    this.properties = properties;
    this.plans = plans;
  }

  /** Required roles, the approvals given, and whether they suffice. */
  public record Status(List<String> required, List<Approval> given, List<String> missing, Guard guard) {}

  public Status check(RollbackPlan plan, String actor) {
    List<String> required = properties.required(plan.level());
    List<Approval> given = plans.approvals(plan.planId());
    Set<String> people = new HashSet<>();
    List<String> missing = new ArrayList<>();
    for (String role : required) {
      Optional<Approval> match = given.stream()
          .filter(a -> a.role().equals(role) && !a.approver().equals(actor) && !people.contains(a.approver()))
          .findFirst();
      match.ifPresentOrElse(a -> people.add(a.approver()), () -> missing.add(role));
    }
    String level = "level " + plan.level() + " (" + RollbackLevel.describe(plan.level()) + ")";
    if (missing.isEmpty()) {
      return new Status(required, given, missing, Guard.ok("approval", required.isEmpty()
          ? level + " needs no approval" : level + " approved by " + String.join(", ", people)));
    }
    StringBuilder message = new StringBuilder(level).append(" needs approval by ").append(String.join(", ", missing))
        .append(" (one person per role, not the actor ").append(actor).append(")");
    plans.latestApprovedOther(plan.system(), plan.manifestId(), plan.planId()).ifPresent(older -> message
        .append("; the plan changed since it was approved: approvals are of ").append(older).append(", the plan is now ")
        .append(plan.planId()));
    message.append("; approve with 'approve --system ").append(plan.system()).append(" --plan ").append(plan.planId())
        .append(" --approver NAME --role ").append(missing.get(0)).append(" --reason TEXT'");
    return new Status(required, given, missing, Guard.failed("approval", message.toString()));
  }
}
