package org.rollbackjobs.jobs.features;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rollbackjobs.iceberg.ConcurrentChangeException;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.RecomputeFeatures;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.jobs.features.RecomputeService.RecomputeOutcome;
import org.rollbackjobs.jobs.launch.Attempt;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.rollbackjobs.jobs.launch.JobRunner;
import org.rollbackjobs.jobs.store.StoredJson;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobParametersBuilder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * Validates and plans a recompute before anything changes (pipeline and version known and unchanged, source
 * snapshot exists and has the columns, feature table usable), then runs the {@code recompute-features} job.
 * Bad input never reaches the job. A feature table already computed by this pipeline version from this source
 * snapshot is left alone.
 */
@Service
public class RecomputeService {
  private final ObjectProvider<org.apache.iceberg.catalog.Catalog> catalog;
  private final FeaturePipelines pipelines;
  private final PipelineRegistry registry;
  private final FeatureRecomputeProperties properties;
  private final JobRunner jobRunner;
  private final JobOutcomes outcomes;
  private final RecomputeJobSupport support;
  private final RunFolders runFolders;
  private final SparkEngine spark;

  public RecomputeService(ObjectProvider<org.apache.iceberg.catalog.Catalog> catalog, FeaturePipelines pipelines,
      PipelineRegistry registry, FeatureRecomputeProperties properties, JobRunner jobRunner, JobOutcomes outcomes,
      RecomputeJobSupport support, RunFolders runFolders, SparkEngine spark) {
    this.catalog = catalog;
    this.pipelines = pipelines;
    this.registry = registry;
    this.properties = properties;
    this.jobRunner = jobRunner;
    this.outcomes = outcomes;
    this.support = support;
    this.runFolders = runFolders;
    this.spark = spark;
  }

  /** The Spark SQL query a recompute on Spark runs (for a dry run's text). */
  public String sparkQuery(RecomputeRequest request, RecomputePlan plan) {
    return spark.query(pipeline(request), plan);
  }

  /** The engine of a request: its own ({@code --engine}, a system file's {@code engine:}), else the configured one. */
  public RecomputeEngine engine(RecomputeRequest request) {
    return request.engine() != null ? RecomputeEngine.of("--engine", request.engine())
        : RecomputeEngine.of("rollback.features.engine", properties.engine());
  }

  /** What a recompute would do; changes nothing. On Spark, also checks the settings and the translation. */
  public RecomputePlan plan(RecomputeRequest request) {
    RecomputeEngine engine = engine(request);
    FeaturePipeline pipeline = pipeline(request);
    RecomputePlan plan = planWith(pipeline, request);
    if (engine == RecomputeEngine.SPARK && !plan.upToDate()) {
      spark.check(pipeline, plan);
    }
    return plan;
  }

  public RecomputeOutcome recompute(RecomputeRequest request) {
    long started = System.nanoTime();
    Attempt attempt = request.attempt();
    RecomputeEngine engine = outcomes.check(attempt, () -> engine(request));
    FeaturePipeline pipeline = outcomes.check(attempt, () -> pipeline(request));
    RecomputePlan plan = outcomes.check(attempt, () -> planWith(pipeline, request));
    if (engine == RecomputeEngine.SPARK && !plan.upToDate()) {
      outcomes.check(attempt, () -> {
        spark.check(pipeline, plan); // settings complete and a Spark translation exists, before anything changes
        return plan;
      });
    }
    if (plan.upToDate()) {
      Map<String, Object> details = lineage(request);
      details.put("source-snapshot", plan.sourceSnapshotId());
      details.put("current-snapshot", plan.targetCurrentSnapshotId());
      outcomes.noop(attempt, details);
      return new RecomputeOutcome(plan, "noop", null, Map.of("engine", engine.id(),
          "new-snapshot", plan.targetCurrentSnapshotId()), Duration.ofNanos(System.nanoTime() - started));
    }
    long cpuBefore = processCpuNanos();
    JobExecution launched;
    try {
      // registered under the run's locks: a refused run (another on the target or source) changes nothing
      launched = jobRunner.run(attempt, RecomputeFeaturesJobConfiguration.JOB_NAME,
          request.withSourceSnapshot(plan.sourceSnapshotId()).onEngine(engine.id())
              .toJobParameters(pipeline.definitionHash()), () -> {
            runFolders.removeFinished();
            registry.register(pipeline, request.actor());
            support.planned(plan);
          });
    } finally {
      support.discardPlanned(plan.runId()); // normally taken by the prepare step already
    }
    JobExecution execution = outcomes.completed(launched, RecomputeService::continueHint);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("engine", engine.id());
    result.putAll(result(execution));
    long cpu = processCpuNanos() - cpuBefore;
    if (cpuBefore >= 0 && cpu >= 0) {
      result.put("cpu-ms", cpu / 1_000_000); // all threads of this process during the job, GC included
    }
    return new RecomputeOutcome(RecomputeJobSupport.plan(execution), "completed", execution.getId(), result,
        Duration.ofNanos(System.nanoTime() - started));
  }

  /** For a dry run: the refusal a run would get now from its locks (another run on its target or source), or null. */
  public String lockConflict(RecomputeRequest request) {
    return jobRunner.lockConflict(RecomputeFeaturesJobConfiguration.JOB_NAME, new JobParametersBuilder()
        .addString(RecomputeRequest.SOURCE, request.source())
        .addString(RecomputeRequest.TARGET, request.target())
        .toJobParameters());
  }

  /** Continues a failed (or killed) recompute: the completed partitions are kept. */
  public RecomputeOutcome restart(long executionId) {
    long started = System.nanoTime();
    JobExecution execution = outcomes.completed(jobRunner.restart(executionId), RecomputeService::continueHint);
    return new RecomputeOutcome(RecomputeJobSupport.plan(execution), "completed", execution.getId(),
        result(execution), Duration.ofNanos(System.nanoTime() - started));
  }

  /** How a failed recompute continues: a restart keeps the completed partitions. */
  static String continueHint(Throwable failure, long executionId) {
    return failure instanceof ConcurrentChangeException
        ? "'restart --execution " + executionId + "' commits against the new state"
        : "continue it with 'restart --execution " + executionId + "' (completed partitions are kept)";
  }

  private FeaturePipeline pipeline(RecomputeRequest request) {
    FeaturePipeline pipeline = pipelines.catalog(request.pipelinesDir()).get(request.pipeline(), request.version());
    registry.check(pipeline);
    return pipeline;
  }

  private RecomputePlan planWith(FeaturePipeline pipeline, RecomputeRequest request) {
    return RecomputeFeatures.of(catalog.getObject())
        .pipeline(pipeline)
        .source(request.source())
        .sourceSnapshot(request.sourceSnapshotId())
        .target(request.target())
        .toBranch(request.targetBranch())
        .runId(request.runId())
        .threads(properties.threads())
        .plan();
  }

  /** CPU time of this process so far, or -1 where the JVM cannot tell. */
  private static long processCpuNanos() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> result(JobExecution execution) {
    return StoredJson.read(execution.getExecutionContext().getString(RecomputeJobSupport.RESULT), Map.class);
  }

  private static Map<String, Object> lineage(RecomputeRequest request) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("pipeline", request.pipeline());
    details.put("version", request.version());
    details.put("source", request.source());
    return details;
  }

  /**
   * What a recompute did.
   *
   * @param status {@code completed} or {@code noop}
   * @param jobExecutionId null when nothing had to be done
   * @param result new-snapshot, rows-read, rows-written, data-files, spills
   */
  public record RecomputeOutcome(RecomputePlan plan, String status, Long jobExecutionId, Map<String, Object> result,
      Duration duration) {}
}
