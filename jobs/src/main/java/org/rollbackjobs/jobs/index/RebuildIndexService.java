package org.rollbackjobs.jobs.index;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.ConcurrentChangeException;
import org.rollbackjobs.jobs.audit.AuditEntry;
import org.rollbackjobs.jobs.audit.AuditLog;
import org.rollbackjobs.jobs.cli.Output;
import org.rollbackjobs.jobs.cli.RefusedException;
import org.rollbackjobs.jobs.launch.JobFailedException;
import org.rollbackjobs.jobs.launch.JobRunner;
import org.rollbackjobs.vector.embedding.EmbeddingVersion;
import org.rollbackjobs.vector.embedding.QuarantinedVersionException;
import org.rollbackjobs.vector.index.IndexBuild;
import org.rollbackjobs.vector.index.IndexRebuild;
import org.rollbackjobs.vector.index.RebuildPlan;
import org.rollbackjobs.vector.index.SwitchBack;
import org.rollbackjobs.vector.index.ValidationFailedException;
import org.rollbackjobs.vector.source.DocumentSource;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.explore.JobExplorer;
import org.springframework.stereotype.Service;

/**
 * Validates a rebuild (or switch-back) completely before anything changes, refuses what a guard forbids, runs the
 * job and audits the outcome. Bad input never reaches the job: it is refused here with {@link BadInputException}
 * (exit 2); a quarantined version is refused with {@link RefusedException} (exit 4).
 */
@Service
public class RebuildIndexService {
  private final RebuildIndexFactory factory;
  private final JobRunner jobRunner;
  private final JobExplorer explorer;
  private final AuditLog auditLog;

  public RebuildIndexService(RebuildIndexFactory factory, JobRunner jobRunner, JobExplorer explorer,
      AuditLog auditLog) {
    this.factory = factory;
    this.jobRunner = jobRunner;
    this.explorer = explorer;
    this.auditLog = auditLog;
  }

  /** What a rebuild would do, and where its vectors would come from. */
  public record Planned(RebuildPlan plan, String vectors, Long storedSnapshot) {}

  /** Checks everything and plans; changes nothing. */
  public Planned plan(RebuildIndexRequest request) {
    try {
      EmbeddingVersion version = factory.version(request);
      DocumentSource documents = factory.documents(request);
      String vectors = factory.checkVectors(request, version);
      RebuildPlan plan = factory.rebuild(request, version, documents).plan();
      return new Planned(plan, vectors, factory.storedSnapshot(request));
    } catch (QuarantinedVersionException e) {
      throw new RefusedException(e.getMessage());
    }
  }

  public RebuildOutcome rebuild(RebuildIndexRequest request) {
    Planned planned;
    try {
      planned = plan(request);
      refuseWhileRunning(request.subject());
    } catch (BadInputException | RefusedException e) {
      audit("rebuild-index", request.subject(), request.reason(), request.actor(), "rejected", null,
          Map.of("embedding", String.valueOf(request.embedding()), "error", e.getMessage()));
      throw e;
    }
    RebuildPlan plan = planned.plan();
    if (plan.noop()) {
      List<IndexBuild> retired = IndexRebuild.of(factory.dataSource()).index(request.indexName()).retire();
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("embedding", request.embedding());
      details.put("serving-build-id", plan.serving().servingBuildId());
      details.put("retired-builds", retired.stream().map(IndexBuild::id).toList());
      audit("rebuild-index", request.subject(), request.reason(), request.actor(), "noop", null, details);
      return new RebuildOutcome("noop", null, planned, null, Map.of(), Map.of(),
          retired.stream().map(IndexBuild::toMap).map(m -> (Object) m).toList(), Map.of(), Duration.ZERO);
    }
    RebuildIndexRequest pinned = request.withSnapshots(plan.sourceSnapshot(), planned.storedSnapshot());
    JobExecution execution = jobRunner.run(RebuildIndexJobConfiguration.JOB_NAME, pinned.toJobParameters());
    return outcomeOf(pinned, planned, execution);
  }

  /** Restarts a failed rebuild: the load resumes after its last committed chunk. */
  public RebuildOutcome restart(long executionId) {
    JobExecution execution = jobRunner.restart(executionId);
    RebuildIndexRequest request = RebuildIndexRequest.fromJobParameters(execution.getJobParameters());
    return outcomeOf(request, null, execution);
  }

  public SwitchBack.Plan planSwitchBack(SwitchBackRequest request) {
    try {
      return switchBackOf(request).plan();
    } catch (QuarantinedVersionException e) {
      throw new RefusedException(e.getMessage());
    }
  }

  public SwitchBackOutcome switchBack(SwitchBackRequest request) {
    SwitchBack.Plan plan;
    try {
      plan = planSwitchBack(request);
      refuseWhileRunning(request.subject());
    } catch (BadInputException | RefusedException e) {
      audit("rebuild-index --switch-back", request.subject(), request.reason(), request.actor(), "rejected", null,
          Map.of("error", e.getMessage()));
      throw e;
    }
    JobExecution execution = jobRunner.run(RebuildIndexJobConfiguration.SWITCH_BACK_JOB_NAME,
        request.toJobParameters());
    long id = execution.getId();
    if (execution.getStatus() == BatchStatus.COMPLETED) {
      Map<String, Object> result = read(execution, RebuildContext.SWITCH_BACK);
      audit("rebuild-index --switch-back", request.subject(), request.reason(), request.actor(), "completed", id,
          result);
      return new SwitchBackOutcome(plan, result, id);
    }
    Throwable failure = JobRunner.failure(execution);
    String message = failure == null ? "job ended " + execution.getStatus() : failure.getMessage();
    audit("rebuild-index --switch-back", request.subject(), request.reason(), request.actor(), "failed", id,
        Map.of("error", String.valueOf(message)));
    if (failure instanceof QuarantinedVersionException) {
      throw new RefusedException(message);
    }
    if (failure instanceof BadInputException bad) {
      throw bad;
    }
    throw new JobFailedException("switch-back of " + request.subject() + " failed: " + message, id, failure);
  }

  private SwitchBack switchBackOf(SwitchBackRequest request) {
    return SwitchBack.of(factory.dataSource()).index(request.indexName()).coolDown(request.coolDown())
        .lockTimeout(factory.properties().lockTimeout())
        .overrideQuarantine(request.overrideQuarantine()).reason(request.reason()).actor(request.actor());
  }

  /** Another rebuild or switch-back of the same index that still runs: this one must wait. */
  private void refuseWhileRunning(String subject) {
    for (String job : List.of(RebuildIndexJobConfiguration.JOB_NAME, RebuildIndexJobConfiguration.SWITCH_BACK_JOB_NAME)) {
      Set<JobExecution> running = explorer.findRunningJobExecutions(job);
      for (JobExecution execution : running) {
        boolean sameIndex = subject.equals(execution.getJobParameters().getString(RebuildIndexRequest.INDEX));
        if (sameIndex && !JobRunner.processGone(execution).orElse(false)) {
          throw new RefusedException("index " + subject + " is being rebuilt by job execution " + execution.getId()
              + " (process " + execution.getJobParameters().getString(JobRunner.PROCESS_PID) + "); wait for it");
        }
      }
    }
  }

  private RebuildOutcome outcomeOf(RebuildIndexRequest request, Planned planned, JobExecution execution) {
    long id = execution.getId();
    Map<String, Long> steps = stepMillis(execution);
    Duration duration = duration(execution);
    if (execution.getStatus() == BatchStatus.COMPLETED) {
      var context = execution.getExecutionContext();
      long buildId = context.getLong(RebuildContext.BUILD_ID);
      Map<String, Object> build = buildMap(buildId);
      Map<String, Object> validation = read(execution, RebuildContext.VALIDATION);
      Map<String, Object> switched = read(execution, RebuildContext.SWITCH);
      List<Object> retired = readList(execution, RebuildContext.RETIRED);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("embedding", request.embedding());
      details.put("source", request.sourceTable() == null ? "query" : request.sourceTable());
      details.put("source-snapshot", request.sourceSnapshot());
      details.put("build-id", buildId);
      details.put("rows", build.get("rows"));
      details.put("replaced-build-id", switched.get("replaced-build-id"));
      details.put("quarantined", switched.get("quarantined"));
      details.put("retired-builds", retired.size());
      audit("rebuild-index", request.subject(), request.reason(), request.actor(), "completed", id, details);
      return new RebuildOutcome("completed", id, planned, build, validation, switched, retired, steps,
          duration);
    }
    Throwable failure = JobRunner.failure(execution);
    String message = failure == null ? "job ended " + execution.getStatus() : failure.getMessage();
    audit("rebuild-index", request.subject(), request.reason(), request.actor(), "failed", id,
        Map.of("embedding", String.valueOf(request.embedding()), "error", String.valueOf(message)));
    if (failure instanceof QuarantinedVersionException) {
      throw new RefusedException(message + " (job execution " + id + ")");
    }
    if (failure instanceof ConcurrentChangeException concurrent) {
      throw new ConcurrentChangeException(concurrent.getMessage() + " (job execution " + id + ")", concurrent);
    }
    String hint = failure instanceof ValidationFailedException
        ? "; the build is kept for inspection, the serving name still answers from the previous build"
        : "; the serving name was not switched; restart it with 'restart --execution " + id + "'";
    throw new JobFailedException("rebuild-index of " + request.subject() + " failed: " + message + hint, id, failure);
  }

  private Map<String, Object> buildMap(long buildId) {
    try (var c = factory.dataSource().getConnection()) {
      return org.rollbackjobs.vector.index.BuildRegistry.find(c, buildId).map(IndexBuild::toMap).orElse(Map.of());
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private static Map<String, Long> stepMillis(JobExecution execution) {
    Map<String, Long> steps = new LinkedHashMap<>();
    for (StepExecution step : execution.getStepExecutions()) {
      if (step.getStartTime() != null && step.getEndTime() != null) {
        steps.put(step.getStepName(), Duration.between(step.getStartTime(), step.getEndTime()).toMillis());
      }
    }
    return steps;
  }

  private static Duration duration(JobExecution execution) {
    LocalDateTime start = execution.getStartTime();
    LocalDateTime end = execution.getEndTime() == null ? LocalDateTime.now() : execution.getEndTime();
    return start == null ? Duration.ZERO : Duration.between(start, end);
  }

  private static Map<String, Object> read(JobExecution execution, String key) {
    String json = execution.getExecutionContext().containsKey(key) ? execution.getExecutionContext().getString(key) : null;
    if (json == null) {
      return Map.of();
    }
    try {
      return Output.JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + key + " of job execution " + execution.getId(), e);
    }
  }

  private static List<Object> readList(JobExecution execution, String key) {
    String json = execution.getExecutionContext().containsKey(key) ? execution.getExecutionContext().getString(key) : null;
    if (json == null) {
      return List.of();
    }
    try {
      return Output.JSON.readValue(json, new TypeReference<List<Object>>() {});
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + key + " of job execution " + execution.getId(), e);
    }
  }

  private void audit(String command, String subject, String reason, String actor, String outcome, Long executionId,
      Map<String, Object> details) {
    auditLog.record(AuditEntry.of(actor, command, subject, reason, outcome, executionId, details));
  }

  /**
   * What a rebuild did.
   *
   * @param status {@code completed} or {@code noop}
   * @param planned the plan made before the job (null for a restart)
   */
  public record RebuildOutcome(String status, Long jobExecutionId, Planned planned, Map<String, Object> build,
      Map<String, Object> validation, Map<String, Object> switched, List<Object> retired,
      Map<String, Long> stepMillis, Duration duration) {}

  public record SwitchBackOutcome(SwitchBack.Plan plan, Map<String, Object> result, long jobExecutionId) {}
}
