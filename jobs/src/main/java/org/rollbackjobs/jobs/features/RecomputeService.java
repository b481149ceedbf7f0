package org.rollbackjobs.jobs.features;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.ConcurrentChangeException;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.RecomputeFeatures;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.jobs.audit.AuditEntry;
import org.rollbackjobs.jobs.audit.AuditLog;
import org.rollbackjobs.jobs.cli.Output;
import org.rollbackjobs.jobs.launch.JobFailedException;
import org.rollbackjobs.jobs.launch.JobRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
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
  private static final Logger LOG = LoggerFactory.getLogger(RecomputeService.class);
  private final ObjectProvider<org.apache.iceberg.catalog.Catalog> catalog;
  private final FeaturePipelines pipelines;
  private final PipelineRegistry registry;
  private final FeatureRecomputeProperties properties;
  private final JobRunner jobRunner;
  private final AuditLog auditLog;
  private final RecomputeJobSupport support;

  public RecomputeService(ObjectProvider<org.apache.iceberg.catalog.Catalog> catalog, FeaturePipelines pipelines,
      PipelineRegistry registry, FeatureRecomputeProperties properties, JobRunner jobRunner, AuditLog auditLog,
      RecomputeJobSupport support) {
    this.catalog = catalog;
    this.pipelines = pipelines;
    this.registry = registry;
    this.properties = properties;
    this.jobRunner = jobRunner;
    this.auditLog = auditLog;
    this.support = support;
  }

  /** What a recompute would do; changes nothing. */
  public RecomputePlan plan(RecomputeRequest request) {
    return planWith(pipeline(request), request);
  }

  public RecomputeOutcome recompute(RecomputeRequest request) {
    long started = System.nanoTime();
    LOG.debug("recompute of {} requested (cpu {} ms)", request.target(), RecomputeJobSupport.cpuMillis());
    FeaturePipeline pipeline;
    RecomputePlan plan;
    try {
      pipeline = pipeline(request);
      LOG.debug("pipeline {} version {} loaded (cpu {} ms)", request.pipeline(), request.version(),
          RecomputeJobSupport.cpuMillis());
      plan = planWith(pipeline, request);
      LOG.debug("planned (cpu {} ms)", RecomputeJobSupport.cpuMillis());
    } catch (BadInputException e) {
      audit(request, "rejected", null, Map.of("error", e.getMessage()));
      throw e;
    }
    if (plan.upToDate()) {
      audit(request, "noop", null, Map.of("source-snapshot", plan.sourceSnapshotId(),
          "current-snapshot", plan.targetCurrentSnapshotId()));
      return new RecomputeOutcome(plan, "noop", null, Map.of("new-snapshot", plan.targetCurrentSnapshotId()),
          Duration.ofNanos(System.nanoTime() - started));
    }
    registry.register(pipeline, request.actor());
    support.planned(plan);
    LOG.debug("pipeline registered; launching the job (cpu {} ms)", RecomputeJobSupport.cpuMillis());
    long cpuBefore = processCpuNanos();
    JobExecution execution;
    try {
      execution = jobRunner.run(RecomputeFeaturesJobConfiguration.JOB_NAME,
          request.withSourceSnapshot(plan.sourceSnapshotId()).toJobParameters(pipeline.definitionHash()));
    } finally {
      support.discardPlanned(plan.runId()); // normally taken by the prepare step already
    }
    long executionId = execution.getId();
    LOG.debug("job execution {} ended {} (cpu {} ms)", executionId, execution.getStatus(),
        RecomputeJobSupport.cpuMillis());
    if (execution.getStatus() == BatchStatus.COMPLETED) {
      Map<String, Object> result = new LinkedHashMap<>(result(execution));
      long cpu = processCpuNanos() - cpuBefore;
      if (cpuBefore >= 0 && cpu >= 0) {
        result.put("cpu-ms", cpu / 1_000_000); // all threads of this process during the job, GC included
      }
      return new RecomputeOutcome(RecomputeJobSupport.plan(execution), "completed", executionId, result,
          Duration.ofNanos(System.nanoTime() - started));
    }
    Throwable failure = JobRunner.failure(execution);
    String message = failure == null ? "job ended " + execution.getStatus() : failure.getMessage();
    if (failure instanceof BadInputException bad) {
      throw bad;
    }
    if (failure instanceof ConcurrentChangeException concurrent) {
      throw new ConcurrentChangeException(concurrent.getMessage() + " (job execution " + executionId
          + "; 'restart --execution " + executionId + "' commits against the new state)", concurrent);
    }
    throw new JobFailedException("recompute of " + request.target() + " failed: " + message
        + "; continue it with 'restart --execution " + executionId + "' (completed partitions are kept)",
        executionId, failure);
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
    String json = execution.getExecutionContext().getString(RecomputeJobSupport.RESULT);
    try {
      return Output.JSON.readValue(json, Map.class);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot read the result of job execution " + execution.getId(), e);
    }
  }

  private void audit(RecomputeRequest request, String outcome, Long executionId, Map<String, Object> details) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("pipeline", request.pipeline());
    all.put("version", request.version());
    all.put("source", request.source());
    all.putAll(details);
    auditLog.record(AuditEntry.of(request.actor(), RecomputeFeaturesJobConfiguration.JOB_NAME, request.target(),
        request.reason(), outcome, executionId, all));
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
