package org.rollbackjobs.jobs.rollback;

import java.util.List;
import org.rollbackjobs.jobs.verify.Finding;

/**
 * One action per component of a system to bring it back to a manifest, with its id and level. The id is a content
 * hash of the system, the manifest and every component's current state and action ({@link PlanId}): if anything
 * changes, the id changes, and approvals of the old id no longer count.
 *
 * @param systemFile the system file the plan was made from (the flow reads it again)
 * @param level the seed articles' rollback level ({@link RollbackLevel})
 * @param findings what the comparison with the manifest found: the reasons for the actions
 */
public record RollbackPlan(String planId, String system, String systemFile, String systemSha256, long manifestId,
    int level, List<ComponentAction> components, List<Finding> findings) {

  public RollbackPlan {
    components = List.copyOf(components);
    findings = List.copyOf(findings);
  }

  /** Nothing moves: the system already equals the manifest. */
  public boolean noop() {
    return components.stream().noneMatch(ComponentAction::moves);
  }

  public List<ComponentAction> of(String component) {
    return components.stream().filter(c -> c.component().equals(component)).toList();
  }

  public ComponentAction component(String key) {
    return components.stream().filter(c -> c.key().equals(key)).findFirst()
        .orElseThrow(() -> new IllegalStateException("plan " + planId + " has no component " + key));
  }
}
