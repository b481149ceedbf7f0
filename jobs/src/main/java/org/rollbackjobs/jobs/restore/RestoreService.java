package org.rollbackjobs.jobs.restore;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.ConcurrentChangeException;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.restore.RestorePlan;
import org.rollbackjobs.iceberg.restore.RestoreResult;
import org.rollbackjobs.iceberg.restore.RestoreTable;
import org.rollbackjobs.jobs.audit.AuditEntry;
import org.rollbackjobs.jobs.audit.AuditLog;
import org.rollbackjobs.jobs.cli.Output;
import org.rollbackjobs.jobs.launch.JobFailedException;
import org.rollbackjobs.jobs.launch.JobRunner;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * Validates and plans a restore before anything changes, then runs the {@code restore} job and audits the
 * outcome. Bad input never reaches the job: it is refused here with {@link BadInputException}.
 */
@Service
public class RestoreService {
  private final ObjectProvider<Catalog> catalog;
  private final JobRunner jobRunner;
  private final AuditLog auditLog;

  public RestoreService(ObjectProvider<Catalog> catalog, JobRunner jobRunner, AuditLog auditLog) {
    this.catalog = catalog;
    this.jobRunner = jobRunner;
    this.auditLog = auditLog;
  }

  /** Resolves the target and computes the plan; changes nothing. */
  public RestorePlan plan(RestoreRequest request) {
    Table table = CatalogLoader.loadTable(catalog.getObject(), request.table());
    return RestoreTable.of(table).to(request.target()).mode(request.mode()).plan();
  }

  public RestoreOutcome restore(RestoreRequest request) {
    try {
      plan(request);
    } catch (BadInputException e) {
      audit(request, "rejected", null, Map.of("error", e.getMessage()));
      throw e;
    }
    JobExecution execution = jobRunner.run(RestoreJobConfiguration.JOB_NAME, request.toJobParameters());
    return outcomeOf(request, execution);
  }

  /** Restarts a failed restore execution (same request, planned again against the table's current state). */
  public RestoreOutcome restart(long executionId) {
    JobExecution execution = jobRunner.restart(executionId);
    return outcomeOf(RestoreRequest.fromJobParameters(execution.getJobParameters()), execution);
  }

  private RestoreOutcome outcomeOf(RestoreRequest request, JobExecution execution) {
    long executionId = execution.getId();
    if (execution.getStatus() == BatchStatus.COMPLETED) {
      RestoreResult result = readResult(execution);
      String outcome = result.changed() ? "completed" : "noop";
      audit(request, outcome, executionId, details(result));
      return new RestoreOutcome(result, executionId, outcome);
    }
    Throwable failure = JobRunner.failure(execution);
    String message = failure == null ? "job ended " + execution.getStatus() : failure.getMessage();
    audit(request, "failed", executionId, Map.of("error", String.valueOf(message)));
    if (failure instanceof BadInputException bad) {
      throw bad;
    }
    if (failure instanceof ConcurrentChangeException concurrent) {
      throw new ConcurrentChangeException(concurrent.getMessage() + " (job execution " + executionId
          + "; 'restart --execution " + executionId + "' plans again and retries)", concurrent);
    }
    throw new JobFailedException("restore of " + request.table() + " failed: " + message
        + "; restart it with 'restart --execution " + executionId + "'", executionId, failure);
  }

  private static RestoreResult readResult(JobExecution execution) {
    String json = execution.getExecutionContext().getString(RestoreTasklet.RESULT);
    try {
      return Output.JSON.readValue(json, RestoreResult.class);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot read the restore result of job execution " + execution.getId(), e);
    }
  }

  private static Map<String, Object> details(RestoreResult result) {
    RestorePlan plan = result.plan();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("mode", plan.mode().label());
    details.put("from-snapshot", plan.fromSnapshotId());
    details.put("to-snapshot", plan.toSnapshotId());
    details.put("new-current-snapshot", result.newCurrentSnapshotId());
    details.put("files-restored", plan.filesToRestore().size());
    details.put("files-discarded", plan.filesToDiscard().size());
    details.put("rows-restored", plan.rowsToRestore());
    details.put("rows-discarded", plan.rowsToDiscard());
    return details;
  }

  private void audit(RestoreRequest request, String outcome, Long executionId, Map<String, Object> details) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("target", request.target().describe());
    all.put("mode", request.mode().label());
    all.putAll(details);
    auditLog.record(AuditEntry.of(request.actor(), "restore", request.table(), request.reason(), outcome,
        executionId, all));
  }

  /** What a restore did: the result, its job execution and the audited outcome ({@code completed} or {@code noop}). */
  public record RestoreOutcome(RestoreResult result, long jobExecutionId, String outcome) {}
}
