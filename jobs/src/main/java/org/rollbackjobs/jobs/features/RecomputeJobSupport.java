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
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.ProgressListener;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.jobs.launch.RunScopedCache;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * What the steps of the recompute-features job share: the pinned pipeline and plan, work folders, partition
 * outputs, and each run's in-memory state (source table, splits, progress), held by job execution id.
 */
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
  // Per-run state lives only here, keyed by run: this bean serves every recompute of the process, side by side.
  /** Plans the service made for runs it is launching, until their prepare step takes them (see {@link #planned}). */
  private final PlanHandoff planned = new PlanHandoff();
  /** Each execution's source table and splits, loaded once for all its steps (see {@link #source}). */
  private final RunScopedCache<RunSource> sources = new RunScopedCache<>();
  /** Each execution's progress on stderr while its map step runs. */
  private final RunScopedCache<RecomputeProgress> progress = new RunScopedCache<>();

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
    RecomputePlan plan = request.runId() == null ? null : planned.take(request.runId());
    if (plan != null && request.sourceSnapshotId() != null
        && plan.sourceSnapshotId() == request.sourceSnapshotId()
        && plan.sourceTable().equals(TableName.parse(request.source()).toString())
        && plan.targetTable().equals(TableName.parse(request.target()).toString())) {
      return plan;
    }
    return null;
  }

  /** Hands the plan to the prepare step of its run (by the plan's run id), which is about to be launched. */
  void planned(RecomputePlan plan) {
    planned.offer(plan);
  }

  /** Drops the plan handed for a run if its prepare step did not take it (the launch failed or was refused). */
  void discardPlanned(String runId) {
    planned.discard(runId);
  }

  /**
   * The source table of the execution, loaded once per execution: every map and reduce partition and the commit
   * need it (to scan the pinned snapshot, or only for its FileIO).
   */
  Table source(JobExecution execution, RecomputePlan plan) {
    return run(execution, plan).table();
  }

  /**
   * The file scan tasks of the plan's scan, planned once per execution and shared by its map partitions (each
   * takes its own part of them); checked against the plan's count of splits.
   */
  List<FileScanTask> splits(JobExecution execution, RecomputePlan plan) {
    return run(execution, plan).splits();
  }

  private RunSource run(JobExecution execution, RecomputePlan plan) {
    return sources.get(execution.getId(), id -> new RunSource(catalog(), plan));
  }

  /** Starts printing the progress of the execution's map step; any earlier printer of it stops. */
  void startProgress(JobExecution execution, RecomputePlan plan, long alreadyRead) {
    RecomputeProgress previous = progress.put(execution.getId(), RecomputeProgress.start(plan.targetTable(),
        plan.rows(), alreadyRead, properties.progressInterval()));
    if (previous != null) {
      previous.stop();
    }
  }

  /** Where the execution's map partitions count the rows they read (nowhere when no progress is printed). */
  ProgressListener progress(long jobExecutionId) {
    RecomputeProgress current = progress.find(jobExecutionId);
    return current == null ? ProgressListener.NONE : current::rowsRead;
  }

  void stopProgress(long jobExecutionId) {
    RecomputeProgress current = progress.release(jobExecutionId);
    if (current != null) {
      current.stop();
    }
  }

  /** Forgets what the execution held in memory; called when it ends, whatever its status. */
  void release(long jobExecutionId) {
    sources.release(jobExecutionId);
    stopProgress(jobExecutionId);
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
