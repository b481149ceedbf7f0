package org.rollbackjobs.jobs.features;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.iceberg.features.engine.SourceSplits;
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
  /** The source table of the job running in this process, loaded once for all its steps (see {@link #source}). */
  private volatile Loaded loaded;
  /** The plan the service made for the run it is about to launch, for the prepare step (see {@link #planned}). */
  private volatile RecomputePlan planned;

  /** A run's source table and, once planned, its file scan tasks. */
  private static final class Loaded {
    final String runId;
    final Table table;
    private List<FileScanTask> splits;

    Loaded(String runId, Table table) {
      this.runId = runId;
      this.table = table;
    }

    synchronized List<FileScanTask> splits(RecomputePlan plan) {
      if (splits == null) {
        splits = checkedSplits(plan, table);
      }
      return splits;
    }
  }

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

  /**
   * The plan {@link RecomputeService} has just made for this run, if it was made in this process for the same
   * request: the prepare step then uses it rather than planning the same scan a second time moments later
   * (planning reads the source's manifests). A restart, or a launch by other means, plans again.
   */
  RecomputePlan planned(RecomputeRequest request) {
    RecomputePlan plan = planned;
    planned = null;
    if (plan != null && plan.runId().equals(request.runId()) && request.sourceSnapshotId() != null
        && plan.sourceSnapshotId() == request.sourceSnapshotId()
        && plan.sourceTable().equals(TableName.parse(request.source()).toString())
        && plan.targetTable().equals(TableName.parse(request.target()).toString())) {
      return plan;
    }
    return null;
  }

  void planned(RecomputePlan plan) {
    this.planned = plan;
  }

  /**
   * The source table, loaded once per run in this process: every map and reduce partition and the commit need
   * it (to scan the pinned snapshot, or only for its FileIO), and loading it is a catalog round trip and a
   * metadata file to parse each time. The snapshot the job reads is pinned in the plan, so a table loaded at
   * the start of the run serves all of it.
   */
  Table source(RecomputePlan plan) {
    return loaded(plan).table;
  }

  /**
   * The file scan tasks of the plan's scan, planned once per run in this process and shared by its map
   * partitions (each takes its own part of them); checked against the plan's count of splits.
   */
  List<FileScanTask> splits(RecomputePlan plan) {
    return loaded(plan).splits(plan);
  }

  private Loaded loaded(RecomputePlan plan) {
    Loaded current = loaded;
    if (current != null && current.runId.equals(plan.runId())) {
      return current;
    }
    synchronized (this) {
      current = loaded;
      if (current == null || !current.runId.equals(plan.runId())) {
        current = new Loaded(plan.runId(), CatalogLoader.loadTable(catalog(), plan.sourceTable()));
        loaded = current;
      }
      return current;
    }
  }

  private static List<FileScanTask> checkedSplits(RecomputePlan plan, Table source) {
    List<FileScanTask> splits = SourceSplits.plan(source, plan.sourceSnapshotId(), plan.projection(), plan.splitSize());
    if (splits.size() != plan.splits()) {
      throw new IllegalStateException("the scan of " + plan.sourceTable() + " at snapshot " + plan.sourceSnapshotId()
          + " has " + splits.size() + " splits, the plan " + plan.splits() + " (split size changed?)");
    }
    return List.copyOf(splits);
  }

  /** Forgets the source table of a run that has ended. */
  void release(String runId) {
    synchronized (this) {
      Loaded current = loaded;
      if (current != null && current.runId.equals(runId)) {
        loaded = null;
      }
    }
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
    Map<String, StepExecution> here = completedHere(execution);
    for (String partition : partitions) {
      StepExecution last = here.get(worker + ":" + partition);
      if (last == null) {
        last = repository.getLastStepExecution(execution.getJobInstance(), worker + ":" + partition);
      }
      if (last == null || last.getStatus() != BatchStatus.COMPLETED) {
        throw new IllegalStateException("partition " + partition + " of " + worker + " has not completed ("
            + (last == null ? "never ran" : last.getStatus()) + ")");
      }
      completed.add(last);
    }
    return completed;
  }

  /**
   * The partitions that completed in this very execution, by step name, as this process holds them: the same
   * objects the job repository stored, so asking it again (a few queries per partition: the instance's executions
   * and their steps) only tells what is known here. Partitions completed by an earlier execution (a restart) are
   * not among them and are looked up in the repository.
   */
  private static Map<String, StepExecution> completedHere(JobExecution execution) {
    Map<String, StepExecution> steps = new HashMap<>();
    for (StepExecution step : execution.getStepExecutions()) {
      if (step.getStatus() == BatchStatus.COMPLETED) {
        steps.put(step.getStepName(), step);
      }
    }
    return steps;
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
