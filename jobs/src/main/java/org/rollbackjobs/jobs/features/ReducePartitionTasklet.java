package org.rollbackjobs.jobs.features;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.iceberg.features.engine.MapTask;
import org.rollbackjobs.iceberg.features.engine.OutputFiles;
import org.rollbackjobs.iceberg.features.engine.ReduceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.item.ExecutionContext;
import org.springframework.batch.repeat.RepeatStatus;
import org.springframework.stereotype.Component;

/** One reduce bucket: merges every map partition's runs of the bucket and writes the finished rows to data files. */
@Component
class ReducePartitionTasklet implements Tasklet {
  private static final Logger LOG = LoggerFactory.getLogger(ReducePartitionTasklet.class);
  static final String BUCKET = "bucket";
  static final String KEYS = "reduce.keys";
  static final String DATA_FILES = "reduce.data-files";

  private final RecomputeJobSupport support;

  ReducePartitionTasklet(RecomputeJobSupport support) {
    this.support = support;
  }

  @Override
  public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
    var step = chunkContext.getStepContext().getStepExecution();
    var job = step.getJobExecution();
    RecomputePlan plan = RecomputeJobSupport.plan(job);
    FeaturePipeline pipeline = support.pipeline(job.getJobParameters());
    ExecutionContext context = step.getExecutionContext();
    int bucket = context.getInt(BUCKET);
    LOG.debug("reduce bucket {} starts (cpu {} ms)", bucket, RecomputeJobSupport.cpuMillis());

    List<Path> runs = new ArrayList<>();
    for (StepExecution map : support.completedPartitions(job, RecomputeJobSupport.MAP_WORKER,
        RecomputeJobSupport.mapPartitions(plan))) {
      ExecutionContext mapped = map.getExecutionContext();
      runs.addAll(MapTask.runsOf(Path.of(mapped.getString(MapPartitionTasklet.RUN_DIRECTORY)),
          mapped.getInt(MapPartitionTasklet.SPILLS), bucket));
    }
    Table source = support.source(job, plan);
    String partition = RecomputeJobSupport.partitionOf(step);
    AttemptFiles attempt = AttemptFiles.begin(support.runDirectory(plan), partition, step.getId(), source.io());
    try {
      ReduceTask.Result result = ReduceTask.run(pipeline, plan, runs, attempt.directory().resolve("scratch"),
          OutputFiles.of(plan, source.io(), attempt::record),
          plan.runId().substring(0, 8) + "-" + partition + "-" + step.getId());
      LOG.debug("reduce partition {} done: {} keys in {} data files (cpu {} ms)", partition, result.keys(),
          result.dataFiles().size(), RecomputeJobSupport.cpuMillis());
      context.putLong(KEYS, result.keys());
      context.putString(DATA_FILES, String.join("\n", result.dataFiles()));
      contribution.incrementWriteCount(result.keys());
      return RepeatStatus.FINISHED;
    } finally {
      attempt.close();
    }
  }
}
