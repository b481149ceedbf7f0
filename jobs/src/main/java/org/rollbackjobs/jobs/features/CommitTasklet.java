package org.rollbackjobs.jobs.features;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.rollbackjobs.iceberg.features.FeatureLineage;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.iceberg.features.engine.FeatureCommit;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.rollbackjobs.jobs.store.StoredJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;
import org.springframework.stereotype.Component;

/**
 * The one commit: every data file the partitions wrote, in one Iceberg transaction that replaces the feature
 * table's content, with the lineage. Run again after a crash, it finds its own earlier commit by the run id.
 */
@Component
class CommitTasklet implements Tasklet {
  private static final Logger LOG = LoggerFactory.getLogger(CommitTasklet.class);

  private final RecomputeJobSupport support;

  CommitTasklet(RecomputeJobSupport support) {
    this.support = support;
  }

  @Override
  public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
    var step = chunkContext.getStepContext().getStepExecution();
    var job = step.getJobExecution();
    RecomputePlan plan = RecomputeJobSupport.plan(job);
    RecomputeRequest request = RecomputeRequest.fromJobParameters(job.getJobParameters());
    LOG.debug("commit step starts (cpu {} ms)", RecomputeJobSupport.cpuMillis());

    List<StepExecution> maps = support.completedPartitions(job, RecomputeJobSupport.MAP_WORKER,
        RecomputeJobSupport.mapPartitions(plan));
    List<String> files = new ArrayList<>();
    long rowsRead = 0;
    int spills = 0;
    for (StepExecution map : maps) {
      rowsRead += map.getExecutionContext().getLong(MapPartitionTasklet.ROWS_READ);
      spills += map.getExecutionContext().getInt(MapPartitionTasklet.SPILLS);
      files.addAll(RecomputeJobSupport.lines(map.getExecutionContext().getString(MapPartitionTasklet.DATA_FILES, "")));
    }
    if (plan.keyed()) {
      for (StepExecution reduce : support.completedPartitions(job, RecomputeJobSupport.REDUCE_WORKER,
          RecomputeJobSupport.reducePartitions(plan))) {
        files.addAll(RecomputeJobSupport.lines(reduce.getExecutionContext().getString(ReducePartitionTasklet.DATA_FILES, "")));
      }
    }
    Table source = support.source(job, plan);
    Map<String, String> summary = new LinkedHashMap<>();
    summary.put(FeatureLineage.REASON, request.reason());
    summary.put(FeatureLineage.ACTOR, request.actor());
    summary.put(FeatureLineage.JOB_EXECUTION, Long.toString(job.getId()));
    LOG.debug("committing {} data files (cpu {} ms)", files.size(), RecomputeJobSupport.cpuMillis());
    FeatureCommit.Outcome outcome = FeatureCommit.commit(support.catalog(), source.io(), plan, files, summary);
    LOG.info("{} {} snapshot {}: {} rows in {} data files", plan.targetTable(),
        outcome.alreadyCommitted() ? "was already committed as" : "committed as", outcome.snapshotId(), outcome.rows(),
        outcome.dataFiles());

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("engine", RecomputeEngine.EMBEDDED.id());
    result.put("new-snapshot", outcome.snapshotId());
    result.put("rows-read", rowsRead);
    result.put("rows-written", outcome.rows());
    result.put("data-files", outcome.dataFiles());
    result.put("spills", spills);
    result.put("commit-retried", outcome.alreadyCommitted());
    job.getExecutionContext().putString(RecomputeJobSupport.RESULT, StoredJson.write(result));
    JobOutcomes.details(job.getExecutionContext(), result);
    contribution.incrementWriteCount(outcome.rows());
    AttemptFiles.deleteRecursively(support.runDirectory(plan));
    return RepeatStatus.FINISHED;
  }
}
