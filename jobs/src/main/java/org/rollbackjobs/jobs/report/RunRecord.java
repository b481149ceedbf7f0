package org.rollbackjobs.jobs.report;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One recorded drill or rollback, as the report reads it.
 *
 * @param kind {@code drill} or {@code rollback}
 * @param id a drill's run id, a rollback's job instance id
 * @param outcome a drill's verdict ({@code passed}, {@code failed}, {@code aborted}); a rollback's outcome
 *     ({@code completed}, {@code mixed}, {@code failed})
 * @param inject the fault a drill injected ({@code none} for rollbacks)
 * @param detected whether a drill's fault was detected (null: nothing injected)
 * @param phases a drill's phases in order, each {@code name} and {@code duration-ms}; empty for rollbacks
 */
public record RunRecord(String kind, String id, String system, long manifestId, Instant startedAt, Instant endedAt,
    String outcome, String inject, Boolean detected, Long timeToRollbackMs, List<Map<String, Object>> phases) {

  public boolean succeeded() {
    return "passed".equals(outcome) || "completed".equals(outcome);
  }
}
