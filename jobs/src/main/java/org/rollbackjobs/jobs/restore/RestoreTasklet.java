package org.rollbackjobs.jobs.restore;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.restore.Lineage;
import org.rollbackjobs.iceberg.restore.RestorePlan;
import org.rollbackjobs.iceberg.restore.RestoreResult;
import org.rollbackjobs.iceberg.restore.RestoreTable;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.rollbackjobs.jobs.store.StoredJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.item.ExecutionContext;
import org.springframework.batch.repeat.RepeatStatus;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/** Plans and commits one table restore; the result goes to the job's execution context for the caller. */
@Component
class RestoreTasklet implements Tasklet {
  static final String RESULT = "restore.result";
  private static final Logger LOG = LoggerFactory.getLogger(RestoreTasklet.class);

  private final ObjectProvider<Catalog> catalog;

  RestoreTasklet(ObjectProvider<Catalog> catalog) {
    this.catalog = catalog;
  }

  private static Map<String, Object> auditDetails(RestoreRequest request, RestoreResult result) {
    RestorePlan plan = result.plan();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("target", request.target().describe());
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

  @Override
  public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
    var stepExecution = chunkContext.getStepContext().getStepExecution();
    RestoreRequest request = RestoreRequest.fromJobParameters(stepExecution.getJobParameters());
    long jobExecutionId = stepExecution.getJobExecutionId();
    Table table = CatalogLoader.loadTable(catalog.getObject(), request.table());
    LOG.info("Restoring {} to {} ({} mode), job execution {}", request.table(), request.target().describe(),
        request.mode().label(), jobExecutionId);
    RestoreResult result = RestoreTable.of(table)
        .to(request.target())
        .mode(request.mode())
        .toBranch(request.branch())
        .set(Lineage.REASON, request.reason())
        .set(Lineage.ACTOR, request.actor())
        .set(Lineage.JOB_EXECUTION, Long.toString(jobExecutionId))
        .commit();
    LOG.info("{} {}: current snapshot now {}", request.table(),
        result.changed() ? "restored" : "already at target, nothing changed", result.newCurrentSnapshotId());
    ExecutionContext jobContext = stepExecution.getJobExecution().getExecutionContext();
    jobContext.putString(RESULT, StoredJson.write(result));
    JobOutcomes.details(jobContext, auditDetails(request, result));
    if (!result.changed()) {
      JobOutcomes.noop(jobContext);
    }
    contribution.incrementWriteCount(result.plan().filesToRestore().size());
    return RepeatStatus.FINISHED;
  }
}
