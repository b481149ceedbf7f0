package org.rollbackjobs.jobs.index;

import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rollbackjobs.jobs.launch.Attempt;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.rollbackjobs.jobs.launch.JobRunner;
import org.rollbackjobs.jobs.store.StoredJson;
import org.rollbackjobs.vector.embedding.EmbeddingCache;
import org.rollbackjobs.vector.embedding.EmbeddingVersion;
import org.rollbackjobs.vector.index.IndexBuild;
import org.rollbackjobs.vector.index.IndexRebuild;
import org.rollbackjobs.vector.index.RebuildPlan;
import org.rollbackjobs.vector.index.SwitchBack;
import org.rollbackjobs.vector.index.ValidationFailedException;
import org.rollbackjobs.vector.source.DocumentSource;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.StepExecution;
import org.springframework.stereotype.Service;

/**
 * Validates a rebuild (or switch-back) completely before anything changes, refuses what a guard forbids, then
 * runs the job. Bad input never reaches the job: it is refused here (exit 2); a quarantined version is refused
 * (exit 4), and so is a rebuild or switch-back of an index another one runs on (the index's lock, taken by
 * {@link JobRunner} for the job's whole run).
 */
@Service
public class RebuildIndexService {
  private final RebuildIndexFactory factory;
  private final JobRunner jobRunner;
  private final JobOutcomes outcomes;

  public RebuildIndexService(RebuildIndexFactory factory, JobRunner jobRunner, JobOutcomes outcomes) {
    this.factory = factory;
    this.jobRunner = jobRunner;
    this.outcomes = outcomes;
  }

  /**
   * What a rebuild would do, and where its vectors would come from; {@code reuse} (null unless asked for, and when
   * the rebuild takes no cached vectors) counts the documents whose vectors the embedding cache holds.
   */
  public record Planned(RebuildPlan plan, String vectors, Long storedSnapshot, EmbeddingCache.Reuse reuse) {}

  /** Checks everything and plans; changes nothing. */
  public Planned plan(RebuildIndexRequest request) {
    EmbeddingVersion version = factory.version(request);
    DocumentSource documents = factory.documents(request);
    String vectors = factory.checkVectors(request, version);
    RebuildPlan plan = factory.rebuild(request, version, documents).plan();
    return new Planned(plan, vectors, factory.storedSnapshot(request), null);
  }

  /** {@link #plan}, with the documents whose vectors would be reused counted (reads every document once). */
  public Planned planWithReuse(RebuildIndexRequest request) {
    Planned planned = plan(request);
    if (!request.reuse() || planned.plan().noop()) {
      return planned;
    }
    try (Connection c = factory.dataSource().getConnection()) {
      EmbeddingCache.Reuse reuse = EmbeddingCache.reusable(c, planned.plan().version().name(),
          factory.documents(request));
      return new Planned(planned.plan(), planned.vectors(), planned.storedSnapshot(), reuse);
    } catch (SQLException e) {
      throw new IllegalStateException("counting reusable vectors failed: " + e.getMessage(), e);
    }
  }

  public RebuildOutcome rebuild(RebuildIndexRequest request) {
    Attempt attempt = request.attempt();
    Planned planned = outcomes.check(attempt, () -> plan(request));
    RebuildPlan plan = planned.plan();
    if (plan.noop()) {
      // retiring changes the index: under the lock a rebuild holds (another rebuild of it that runs refuses this)
      List<IndexBuild> retired = jobRunner.underLocks(attempt, RebuildIndexJobConfiguration.JOB_NAME,
          request.toJobParameters(), () -> IndexRebuild.of(factory.dataSource()).index(request.indexName()).retire());
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("embedding", request.embedding());
      details.put("serving-build-id", plan.serving().servingBuildId());
      details.put("retired-builds", retired.stream().map(IndexBuild::id).toList());
      outcomes.noop(attempt, details);
      return new RebuildOutcome("noop", null, planned, null, Map.of(), Map.of(),
          retired.stream().map(IndexBuild::toMap).map(m -> (Object) m).toList(), Map.of(), Duration.ZERO);
    }
    RebuildIndexRequest pinned = request.withSnapshots(plan.sourceSnapshot(), planned.storedSnapshot());
    return outcomeOf(planned, jobRunner.run(attempt, RebuildIndexJobConfiguration.JOB_NAME,
        pinned.toJobParameters()));
  }

  /** Restarts a failed rebuild: the load resumes after its last committed chunk. */
  public RebuildOutcome restart(long executionId) {
    return outcomeOf(null, jobRunner.restart(executionId));
  }

  public SwitchBack.Plan planSwitchBack(SwitchBackRequest request) {
    return switchBackOf(request).plan();
  }

  public SwitchBackOutcome switchBack(SwitchBackRequest request) {
    Attempt attempt = request.attempt();
    SwitchBack.Plan plan = outcomes.check(attempt, () -> planSwitchBack(request));
    JobExecution execution = outcomes.completed(jobRunner.run(attempt,
        RebuildIndexJobConfiguration.SWITCH_BACK_JOB_NAME, request.toJobParameters()));
    return new SwitchBackOutcome(plan, read(execution, RebuildContext.SWITCH_BACK), execution.getId());
  }

  private SwitchBack switchBackOf(SwitchBackRequest request) {
    return SwitchBack.of(factory.dataSource()).index(request.indexName()).coolDown(request.coolDown())
        .lockTimeout(factory.properties().lockTimeout())
        .overrideQuarantine(request.overrideQuarantine()).reason(request.reason()).actor(request.actor());
  }

  /** For a dry run: the refusal a rebuild would get now from its lock (another run on the index), or null. */
  public String lockConflict(RebuildIndexRequest request) {
    return jobRunner.lockConflict(RebuildIndexJobConfiguration.JOB_NAME, request.toJobParameters());
  }

  /** As {@link #lockConflict(RebuildIndexRequest)}, for a switch-back. */
  public String lockConflict(SwitchBackRequest request) {
    return jobRunner.lockConflict(RebuildIndexJobConfiguration.SWITCH_BACK_JOB_NAME, request.toJobParameters());
  }

  private RebuildOutcome outcomeOf(Planned planned, JobExecution execution) {
    outcomes.completed(execution, (failure, id) -> failure instanceof ValidationFailedException
        ? "the build is kept for inspection, the serving name still answers from the previous build"
        : "the serving name was not switched; restart it with 'restart --execution " + id + "'");
    long buildId = execution.getExecutionContext().getLong(RebuildContext.BUILD_ID);
    Map<String, Object> build = new java.util.LinkedHashMap<>(buildMap(buildId));
    build.put("vectors-reused", execution.getExecutionContext().getLong(RebuildContext.REUSED, 0L));
    return new RebuildOutcome("completed", execution.getId(), planned, build,
        read(execution, RebuildContext.VALIDATION), read(execution, RebuildContext.SWITCH),
        readList(execution, RebuildContext.RETIRED), stepMillis(execution), duration(execution));
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
    return StoredJson.read(json, new TypeReference<LinkedHashMap<String, Object>>() {});
  }

  private static List<Object> readList(JobExecution execution, String key) {
    String json = execution.getExecutionContext().containsKey(key) ? execution.getExecutionContext().getString(key) : null;
    if (json == null) {
      return List.of();
    }
    return StoredJson.read(json, new TypeReference<List<Object>>() {});
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
