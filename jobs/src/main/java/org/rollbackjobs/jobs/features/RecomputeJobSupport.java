package org.rollbackjobs.jobs.features;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/** What the steps of the recompute-features job share: the pinned pipeline and plan, work folders, partition outputs. */
@Component
class RecomputeJobSupport {
  static final String PLAN = "recompute.plan";
  static final String RESULT = "recompute.result";
  static final String MAP_WORKER = "recompute-map-partition";
  static final String REDUCE_WORKER = "recompute-reduce-partition";

  private final ObjectProvider<Catalog> catalog;
  private final FeaturePipelines pipelines;
  private final FeatureRecomputeProperties properties;
  private final JobRepository repository;

  RecomputeJobSupport(ObjectProvider<Catalog> catalog, FeaturePipelines pipelines,
      FeatureRecomputeProperties properties, JobRepository repository) {
    this.catalog = catalog;
    this.pipelines = pipelines;
    this.properties = properties;
    this.repository = repository;
  }

  Catalog catalog() {
    return catalog.getObject();
  }

  FeatureRecomputeProperties properties() {
    return properties;
  }

  /** The pipeline version the job was launched with; refused if its definition changed since. */
  FeaturePipeline pipeline(JobParameters params) {
    RecomputeRequest request = RecomputeRequest.fromJobParameters(params);
    FeaturePipeline pipeline = pipelines.catalog(request.pipelinesDir()).get(request.pipeline(), request.version());
    String pinned = RecomputeRequest.pipelineHash(params);
    if (!pipeline.definitionHash().equals(pinned)) {
      throw new BadInputException("pipeline " + pipeline.name() + " version " + pipeline.version() + " changed since"
          + " this job was launched (launched with " + pinned + ", now " + pipeline.definitionHash() + " from "
          + pipeline.origin() + "); versions are immutable");
    }
    return pipeline;
  }

  static RecomputePlan plan(JobExecution execution) {
    String json = execution.getExecutionContext().getString(PLAN, null);
    if (json == null) {
      throw new IllegalStateException("job execution " + execution.getId() + " has no recompute plan");
    }
    return RecomputePlan.fromJson(json);
  }

  Path runDirectory(RecomputePlan plan) {
    return properties.workDir().resolve(plan.runId());
  }

  static String mapPartition(int index) {
    return String.format("map-%05d", index);
  }

  static String reducePartition(int bucket) {
    return String.format("bucket-%05d", bucket);
  }

  /**
   * The completed execution of each partition, whichever job execution of this job instance completed it (a
   * restart skips the partitions completed before).
   */
  List<StepExecution> completedPartitions(JobExecution execution, String worker, List<String> partitions) {
    List<StepExecution> completed = new ArrayList<>();
    for (String partition : partitions) {
      StepExecution last = repository.getLastStepExecution(execution.getJobInstance(), worker + ":" + partition);
      if (last == null || last.getStatus() != BatchStatus.COMPLETED) {
        throw new IllegalStateException("partition " + partition + " of " + worker + " has not completed ("
            + (last == null ? "never ran" : last.getStatus()) + ")");
      }
      completed.add(last);
    }
    return completed;
  }

  /** Rows read by map partitions that completed in an earlier execution of this job instance. */
  long rowsOfCompletedMapPartitions(JobExecution execution, RecomputePlan plan) {
    long rows = 0;
    for (String partition : mapPartitions(plan)) {
      StepExecution last = repository.getLastStepExecution(execution.getJobInstance(), MAP_WORKER + ":" + partition);
      if (last != null && last.getStatus() == BatchStatus.COMPLETED) {
        rows += last.getExecutionContext().getLong(MapPartitionTasklet.ROWS_READ, 0L);
      }
    }
    return rows;
  }

  static List<String> mapPartitions(RecomputePlan plan) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < plan.partitions(); i++) {
      names.add(mapPartition(i));
    }
    return names;
  }

  static List<String> reducePartitions(RecomputePlan plan) {
    List<String> names = new ArrayList<>();
    for (int b = 0; b < plan.buckets(); b++) {
      names.add(reducePartition(b));
    }
    return names;
  }

  static String partitionOf(StepExecution step) {
    String name = step.getStepName();
    return name.substring(name.indexOf(':') + 1);
  }

  /** CPU time of this process so far in ms (all threads, JIT and GC included), or -1; for debug logs of the phases. */
  static long cpuMillis() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime() / 1_000_000;
    }
    return -1;
  }

  static List<String> lines(String text) {
    return text == null || text.isEmpty() ? List.of() : List.of(text.split("\n"));
  }
}
