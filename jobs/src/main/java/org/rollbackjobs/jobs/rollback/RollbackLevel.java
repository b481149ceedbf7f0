package org.rollbackjobs.jobs.rollback;

import java.util.List;

/**
 * The seed articles' rollback levels: 4 data rollback (a dataset is restored), 3 feature pipeline rollback (a
 * feature table is recomputed), 2 system version rollback (more than one component moves, or an index moves), 1
 * model only.
 */
public final class RollbackLevel {
  private RollbackLevel() {}

  public static int of(List<ComponentAction> components) {
    List<ComponentAction> moving = components.stream().filter(ComponentAction::moves).toList();
    if (moving.stream().anyMatch(c -> c.component().equals(ComponentAction.DATASET))) {
      return 4;
    }
    if (moving.stream().anyMatch(c -> c.component().equals(ComponentAction.FEATURE))) {
      return 3;
    }
    if (moving.size() > 1 || moving.stream().anyMatch(c -> c.component().equals(ComponentAction.INDEX))) {
      return 2;
    }
    return 1;
  }

  /** The level's name in the seed articles. */
  public static String describe(int level) {
    return switch (level) {
      case 4 -> "data rollback";
      case 3 -> "feature pipeline rollback";
      case 2 -> "system version rollback";
      default -> "model rollback";
    };
  }
}
