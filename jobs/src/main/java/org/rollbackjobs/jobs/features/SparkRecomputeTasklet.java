package org.rollbackjobs.jobs.features;

import java.util.LinkedHashMap;
import java.util.Map;
import org.rollbackjobs.iceberg.features.FeatureLineage;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.rollbackjobs.jobs.store.StoredJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;
import org.springframework.stereotype.Component;

/**
 * The whole recompute on Spark, in place of map, reduce and commit: Spark reads the pinned source, computes and
 * makes the one commit with the lineage. A shutdown of the JVM interrupts the Spark query (nothing is committed);
 * a restart runs it again after looking for this run's commit, so a commit made before a crash is not made twice.
 */
@Component
class SparkRecomputeTasklet implements Tasklet {
  private static final Logger LOG = LoggerFactory.getLogger(SparkRecomputeTasklet.class);

  private final RecomputeJobSupport support;
  private final SparkEngine engine;

  SparkRecomputeTasklet(RecomputeJobSupport support, SparkEngine engine) {
    this.support = support;
    this.engine = engine;
  }

  @Override
  public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
    var job = chunkContext.getStepContext().getStepExecution().getJobExecution();
    RecomputePlan plan = RecomputeJobSupport.plan(job);
    RecomputeRequest request = RecomputeRequest.fromJobParameters(job.getJobParameters());
    Map<String, String> summary = new LinkedHashMap<>();
    summary.put(FeatureLineage.REASON, request.reason());
    summary.put(FeatureLineage.ACTOR, request.actor());
    summary.put(FeatureLineage.JOB_EXECUTION, Long.toString(job.getId()));
    ThrottledLog progress = new ThrottledLog(plan.targetTable(), support.properties().progressInterval().toNanos());
    SparkEngine.Outcome outcome = engine.run(support.pipeline(job.getJobParameters()), plan, summary,
        progress::accept);
    progress.last();
    LOG.info("{} {} snapshot {} by Spark: {} rows in {} data files", plan.targetTable(),
        outcome.alreadyCommitted() ? "was already committed as" : "committed as", outcome.snapshotId(),
        outcome.rowsWritten(), outcome.dataFiles());

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("engine", RecomputeEngine.SPARK.id());
    result.put("new-snapshot", outcome.snapshotId());
    result.put("rows-read", plan.rows());
    result.put("rows-written", outcome.rowsWritten());
    result.put("data-files", outcome.dataFiles());
    result.put("commit-retried", outcome.alreadyCommitted());
    job.getExecutionContext().putString(RecomputeJobSupport.RESULT, StoredJson.write(result));
    JobOutcomes.details(job.getExecutionContext(), result);
    contribution.incrementWriteCount(outcome.rowsWritten());
    return RepeatStatus.FINISHED;
  }

  /** Spark's progress reports on stderr (through the log), at most one line per progress interval. */
  private static final class ThrottledLog {
    private final String target;
    private final long intervalNanos;
    private long printed = System.nanoTime();
    private String latest;

    ThrottledLog(String target, long intervalNanos) {
      this.target = target;
      this.intervalNanos = intervalNanos;
    }

    void accept(String line) {
      latest = line;
      if (System.nanoTime() - printed >= intervalNanos) {
        printed = System.nanoTime();
        LOG.info("recompute {} on Spark: {}", target, line);
      }
    }

    void last() {
      if (latest != null) {
        LOG.info("recompute {} on Spark: {}", target, latest);
      }
    }
  }
}
