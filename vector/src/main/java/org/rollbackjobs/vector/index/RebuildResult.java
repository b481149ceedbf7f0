package org.rollbackjobs.vector.index;

import java.time.Duration;
import java.util.List;

/** What a rebuild did, with the time of each stage. */
public record RebuildResult(
    RebuildPlan plan,
    IndexBuild build,
    LoadStats load,
    Duration prepare,
    Duration annIndex,
    Duration validate,
    Duration switchTime,
    Duration retire,
    ValidationReport validation,
    SwitchResult switched,
    List<IndexBuild> retired) {

  public boolean changed() {
    return switched != null;
  }
}
