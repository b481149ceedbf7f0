package org.rollbackjobs.jobs.features;

import java.util.List;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.iceberg.features.engine.MapTask;
import org.rollbackjobs.iceberg.features.engine.OutputFiles;
import org.rollbackjobs.iceberg.features.engine.SourceSplits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.item.ExecutionContext;
import org.springframework.batch.repeat.RepeatStatus;
import org.springframework.stereotype.Component;

/**
 * One map partition: the rows of its file scan tasks through the pipeline, into spill runs (per key) or data
 * files (row-wise). What it produced goes to its step context when it completes; a partition that did not
 * complete is run again from the start on restart, after its earlier attempt's files are deleted.
 */
@Component
class MapPartitionTasklet implements Tasklet {
  private static final Logger LOG = LoggerFactory.getLogger(MapPartitionTasklet.class);
  static final String INDEX = "partition";
  static final String ROWS_READ = "map.rows-read";
  static final String ROWS_KEPT = "map.rows-kept";
  static final String RUN_DIRECTORY = "map.run-directory";
  static final String SPILLS = "map.spills";
  static final String DATA_FILES = "map.data-files";

  private final RecomputeJobSupport support;

  MapPartitionTasklet(RecomputeJobSupport support) {
    this.support = support;
  }

  @Override
  public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
    var step = chunkContext.getStepContext().getStepExecution();
    var job = step.getJobExecution();
    RecomputePlan plan = RecomputeJobSupport.plan(job);
    FeaturePipeline pipeline = support.pipeline(job.getJobParameters());
    ExecutionContext context = step.getExecutionContext();
    int index = context.getInt(INDEX);
    String partition = RecomputeJobSupport.partitionOf(step);

    Table source = support.source(job, plan);
    AttemptFiles attempt = AttemptFiles.begin(support.runDirectory(plan), partition, step.getId(), source.io());
    try {
      List<FileScanTask> splits = support.splits(job, plan);
      MapTask.Result result = MapTask.run(source, pipeline, plan,
          SourceSplits.partition(splits, index, plan.partitions()), attempt.directory().resolve("runs"),
          support.properties().memoryPerWorker(), OutputFiles.of(plan, source.io(), attempt::record),
          plan.runId().substring(0, 8) + "-" + partition + "-" + step.getId(),
          support.progress(job.getId()));
      context.putLong(ROWS_READ, result.rowsRead());
      context.putLong(ROWS_KEPT, result.rowsKept());
      if (result.runDirectory() != null) {
        context.putString(RUN_DIRECTORY, result.runDirectory());
      }
      context.putInt(SPILLS, result.spills());
      context.putString(DATA_FILES, String.join("\n", result.dataFiles()));
      contribution.incrementWriteCount(result.rowsKept());
      LOG.info("map partition {} of {} done: {} rows read, {} kept, {} spill round(s)", partition, plan.partitions(),
          result.rowsRead(), result.rowsKept(), result.spills());
      LOG.debug("map partition {} ends (cpu {} ms)", partition, RecomputeJobSupport.cpuMillis());
      return RepeatStatus.FINISHED;
    } finally {
      attempt.close();
    }
  }
}
