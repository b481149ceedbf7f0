package org.rollbackjobs.jobs.features;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.rollbackjobs.iceberg.features.RecomputePlan;

/**
 * The plans {@link RecomputeService} made for the runs it is launching, by run id, until each run's prepare step
 * takes its own (so that it does not plan the same scan again moments later). Several recomputes may launch at
 * once in one process; each finds only its plan. The service discards a plan its run never took (the launch
 * failed before the prepare step).
 */
final class PlanHandoff {
  private final ConcurrentMap<String, RecomputePlan> plans = new ConcurrentHashMap<>();

  void offer(RecomputePlan plan) {
    plans.put(plan.runId(), plan);
  }

  /** The plan offered for the run, removed; null when there is none (a restart, a launch by other means). */
  RecomputePlan take(String runId) {
    return plans.remove(runId);
  }

  void discard(String runId) {
    plans.remove(runId);
  }
}
