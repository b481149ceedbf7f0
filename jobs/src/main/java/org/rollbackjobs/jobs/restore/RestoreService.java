package org.rollbackjobs.jobs.restore;

import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.restore.RestorePlan;
import org.rollbackjobs.iceberg.restore.RestoreResult;
import org.rollbackjobs.iceberg.restore.RestoreTable;
import org.rollbackjobs.jobs.launch.Attempt;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.rollbackjobs.jobs.launch.JobRunner;
import org.rollbackjobs.jobs.restore.RestoreService.RestoreOutcome;
import org.rollbackjobs.jobs.store.StoredJson;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobParametersBuilder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * Validates and plans a restore before anything changes, then runs the {@code restore} job. Bad input never
 * reaches the job: it is refused here with {@link BadInputException}.
 */
@Service
public class RestoreService {
  private final ObjectProvider<Catalog> catalog;
  private final JobRunner jobRunner;
  private final JobOutcomes outcomes;

  public RestoreService(ObjectProvider<Catalog> catalog, JobRunner jobRunner, JobOutcomes outcomes) {
    this.catalog = catalog;
    this.jobRunner = jobRunner;
    this.outcomes = outcomes;
  }

  /** Resolves the target and computes the plan; changes nothing. */
  public RestorePlan plan(RestoreRequest request) {
    Table table = CatalogLoader.loadTable(catalog.getObject(), request.table());
    return RestoreTable.of(table).to(request.target()).mode(request.mode()).toBranch(request.branch()).plan();
  }

  public RestoreOutcome restore(RestoreRequest request) {
    Attempt attempt = request.attempt();
    outcomes.check(attempt, () -> plan(request));
    return outcomeOf(jobRunner.run(attempt, RestoreJobConfiguration.JOB_NAME, request.toJobParameters()));
  }

  /**
   * For a dry run: the refusal a restore would get now from its table's lock (another run on it), or null. Only the
   * table decides the lock (a dry run has no reason, which a run's parameters need).
   */
  public String lockConflict(RestoreRequest request) {
    return jobRunner.lockConflict(RestoreJobConfiguration.JOB_NAME,
        new JobParametersBuilder().addString(RestoreRequest.TABLE, request.table()).toJobParameters());
  }

  /** Restarts a failed restore execution (same request, planned again against the table's current state). */
  public RestoreOutcome restart(long executionId) {
    return outcomeOf(jobRunner.restart(executionId));
  }

  private RestoreOutcome outcomeOf(JobExecution execution) {
    outcomes.completed(execution, (failure, id) -> "'restart --execution " + id + "' plans again and retries");
    RestoreResult result = StoredJson.read(execution.getExecutionContext().getString(RestoreTasklet.RESULT),
        RestoreResult.class);
    return new RestoreOutcome(result, execution.getId(), result.changed() ? "completed" : "noop");
  }

  /** What a restore did: the result, its job execution and the audited outcome ({@code completed} or {@code noop}). */
  public record RestoreOutcome(RestoreResult result, long jobExecutionId, String outcome) {}
}
