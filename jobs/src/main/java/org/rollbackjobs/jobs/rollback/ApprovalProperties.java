package org.rollbackjobs.jobs.rollback;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.bind.Name;

/**
 * {@code rollback.approval.level-N}: the roles whose approval a rollback plan of level N needs, one approval per
 * role by distinct people, none of them the actor. The defaults follow the seed articles' authority: model and
 * system version rollbacks by the on-call engineer alone, a feature pipeline rollback with the data engineering
 * lead, a data rollback with both leads.
 */
@ConfigurationProperties(prefix = "rollback.approval")
public record ApprovalProperties(
    @Name("level-1") @DefaultValue({}) List<String> level1,
    @Name("level-2") @DefaultValue({}) List<String> level2,
    @Name("level-3") @DefaultValue("data-engineering-lead") List<String> level3,
    @Name("level-4") @DefaultValue({"data-engineering-lead", "ml-engineering-lead"}) List<String> level4) {

  public ApprovalProperties {
    level1 = List.copyOf(level1);
    level2 = List.copyOf(level2);
    level3 = List.copyOf(level3);
    level4 = List.copyOf(level4);
  }

  /** The roles a plan of this level needs. */
  public List<String> required(int level) {
    return switch (level) {
      case 1 -> level1;
      case 2 -> level2;
      case 3 -> level3;
      default -> level4;
    };
  }

  /** Every role any level names: what {@code approve --role} accepts. */
  public Set<String> roles() {
    Set<String> roles = new TreeSet<>();
    roles.addAll(level1);
    roles.addAll(level2);
    roles.addAll(level3);
    roles.addAll(level4);
    return roles;
  }
}
