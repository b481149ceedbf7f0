package org.rollbackjobs.jobs.rollback;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rollbackjobs.jobs.store.StoredJson;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobExecutionListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The record of every system rollback ({@code rollback.rollbacks}), one per job instance: a restart continues the
 * same rollback, so its time-to-rollback runs from the first start to the end of the run that finished it. Kept
 * for MTTR and success rate; written by the job's own listener, so restarts are recorded like first runs.
 */
@Component
public class RollbackRecords implements JobExecutionListener {
  private final JdbcTemplate jdbc;
  private final RollbackPlans plans;
  private final ComponentResults results;

  public RollbackRecords(JdbcTemplate jdbc, RollbackPlans plans, ComponentResults results) {
    this.jdbc = jdbc;
    this.plans = plans;
    this.results = results;
  }

  /** A recorded rollback. */
  public record Record(long jobInstanceId, long jobExecutionId, String system, long manifestId, String planId,
      int level, String actor, String reason, Instant startedAt, Instant endedAt, Long timeToRollbackMs,
      String outcome) {}

  @Override
  public void beforeJob(JobExecution execution) {
    SystemRollbackParameters params = SystemRollbackParameters.of(execution.getJobParameters());
    if (params.sandbox() != null) {
      return; // a drill's rehearsal: recorded as a drill (rollback.drills), not as a rollback of the system
    }
    RollbackPlan plan = plans.get(params.planId());
    jdbc.update("INSERT INTO rollback.rollbacks (job_instance_id, job_execution_id, system, manifest_id, plan_id,"
            + " level, actor, reason, approvals, started_at, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, 'running')"
            + " ON CONFLICT (job_instance_id) DO UPDATE SET job_execution_id = excluded.job_execution_id,"
            + " outcome = 'running', ended_at = NULL",
        execution.getJobInstance().getInstanceId(), execution.getId(), params.system(), params.manifestId(),
        params.planId(), plan.level(), params.actor(), params.reason(),
        StoredJson.write(plans.approvals(params.planId())), Timestamp.from(Instant.now()));
  }

  @Override
  public void afterJob(JobExecution execution) {
    SystemRollbackParameters params = SystemRollbackParameters.of(execution.getJobParameters());
    if (params.sandbox() != null) {
      return;
    }
    String outcome = execution.getStatus() != BatchStatus.COMPLETED ? "failed"
        : RollbackTasklets.findings(execution).isEmpty() ? "completed" : "mixed";
    List<Map<String, Object>> components = results.of(execution, plans.get(params.planId()));
    jdbc.update("UPDATE rollback.rollbacks SET ended_at = now(), outcome = ?, components = ?::jsonb,"
            + " time_to_rollback_ms = (extract(epoch FROM now() - started_at) * 1000)::bigint"
            + " WHERE job_instance_id = ?",
        outcome, StoredJson.write(components), execution.getJobInstance().getInstanceId());
  }

  public Optional<Record> find(long jobInstanceId) {
    return jdbc.query("SELECT * FROM rollback.rollbacks WHERE job_instance_id = ?", (rs, row) -> new Record(
        rs.getLong("job_instance_id"), rs.getLong("job_execution_id"), rs.getString("system"),
        rs.getLong("manifest_id"), rs.getString("plan_id"), rs.getInt("level"), rs.getString("actor"),
        rs.getString("reason"), rs.getTimestamp("started_at").toInstant(),
        rs.getTimestamp("ended_at") == null ? null : rs.getTimestamp("ended_at").toInstant(),
        (Long) rs.getObject("time_to_rollback_ms"), rs.getString("outcome")), jobInstanceId).stream().findFirst();
  }
}
