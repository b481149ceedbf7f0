package org.rollbackjobs.jobs.drill;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.rollbackjobs.jobs.store.StoredJson;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The record of every drill ({@code rollback.drills}): written when it starts, completed when it ends. */
@Component
public class DrillRecords {
  private final JdbcTemplate jdbc;

  public DrillRecords(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  void start(String runId, String system, long manifestId, Inject inject, String hypothesis, String actor,
      String reason) {
    jdbc.update("INSERT INTO rollback.drills (run_id, system, manifest_id, inject, hypothesis, actor, reason,"
            + " started_at, verdict) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running')", runId, system, manifestId,
        inject.label(), hypothesis, actor, reason, Timestamp.from(Instant.now()));
  }

  void finish(String runId, DrillOutcome o) {
    jdbc.update("UPDATE rollback.drills SET ended_at = now(), verdict = ?, exit_code = ?, detected = ?,"
            + " production_untouched = ?, time_to_rollback_ms = ?, phases = ?::jsonb, findings_before = ?::jsonb,"
            + " findings_after = ?::jsonb, fingerprints = ?::jsonb, job_execution_id = ?, kept = ?, error = ?"
            + " WHERE run_id = ?",
        o.verdict(), o.exitCode(), o.detected(), o.productionUntouched(), o.timeToRollbackMs(),
        StoredJson.write(o.phases()), StoredJson.write(o.findingsBefore() == null ? List.of() : o.findingsBefore()),
        StoredJson.write(o.findingsAfter() == null ? List.of() : o.findingsAfter()),
        StoredJson.write(o.fingerprints() == null ? List.of() : o.fingerprints()), o.jobExecutionId(), o.kept(),
        o.error(), runId);
  }

  /** Runs of the system still marked running: their process died (the caller holds the system's lock). */
  List<String> running(String system) {
    return jdbc.queryForList("SELECT run_id FROM rollback.drills WHERE system = ? AND verdict = 'running'",
        String.class, system);
  }

  /** Runs of the system whose sandbox was kept and may still exist. */
  List<String> kept(String system) {
    return jdbc.queryForList("SELECT run_id FROM rollback.drills WHERE system = ? AND kept", String.class, system);
  }

  void aborted(String runId, String why) {
    jdbc.update("UPDATE rollback.drills SET verdict = 'aborted', ended_at = coalesce(ended_at, now()), error = ?"
        + " WHERE run_id = ? AND verdict = 'running'", why, runId);
  }

  void sandboxRemoved(String runId) {
    jdbc.update("UPDATE rollback.drills SET kept = false WHERE run_id = ?", runId);
  }
}
