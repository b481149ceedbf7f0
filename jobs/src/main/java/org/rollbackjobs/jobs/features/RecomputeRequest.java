package org.rollbackjobs.jobs.features;

import java.nio.file.Path;
import java.util.UUID;
import org.rollbackjobs.jobs.launch.Attempt;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.JobParametersBuilder;

/**
 * A recompute as the job receives it. It travels as job parameters, with the source snapshot resolved and the
 * pipeline's definition hash pinned at launch, so that a restart computes exactly the same thing.
 *
 * @param sourceSnapshotId null: the source's current snapshot (resolved before the job is launched)
 * @param pipelinesDir folder of YAML definitions, or null
 * @param targetBranch the feature table's branch the commit goes to (null: main); a drill's sandbox branch
 * @param engine {@code embedded} or {@code spark}; null: {@code rollback.features.engine} (resolved at launch)
 */
public record RecomputeRequest(String pipeline, String version, String source, Long sourceSnapshotId, String target,
    Path pipelinesDir, String reason, String actor, String runId, String targetBranch, String engine) {

  static final String PIPELINE = "pipeline";
  static final String VERSION = "pipeline-version";
  static final String PIPELINE_HASH = "pipeline-hash";
  static final String SOURCE = "source";
  static final String SOURCE_SNAPSHOT = "source-snapshot";
  static final String TARGET = "target";
  static final String PIPELINES_DIR = "pipelines-dir";
  static final String REASON = "reason";
  static final String ACTOR = "actor";
  static final String RUN_ID = "run.id";
  static final String TARGET_BRANCH = "target-branch";
  static final String ENGINE = "engine";

  public static RecomputeRequest of(String pipeline, String version, String source, Long sourceSnapshotId,
      String target, Path pipelinesDir, String reason, String actor) {
    return new RecomputeRequest(pipeline, version, source, sourceSnapshotId, target,
        pipelinesDir == null ? null : pipelinesDir.toAbsolutePath().normalize(), reason, actor,
        UUID.randomUUID().toString(), null, null);
  }

  /** What the audit log records of this recompute before it runs. */
  public Attempt attempt() {
    return new Attempt(RecomputeFeaturesJobConfiguration.JOB_NAME, target, actor, reason);
  }

  public RecomputeRequest withSourceSnapshot(long snapshotId) {
    return new RecomputeRequest(pipeline, version, source, snapshotId, target, pipelinesDir, reason, actor, runId,
        targetBranch, engine);
  }

  /** The same recompute, committed to {@code branch} of the feature table instead of main. */
  public RecomputeRequest onBranch(String branch) {
    return new RecomputeRequest(pipeline, version, source, sourceSnapshotId, target, pipelinesDir, reason, actor,
        runId, branch, engine);
  }

  /** The same recompute on {@code engineId} ({@code embedded}, {@code spark}; null: the configured engine). */
  public RecomputeRequest onEngine(String engineId) {
    return new RecomputeRequest(pipeline, version, source, sourceSnapshotId, target, pipelinesDir, reason, actor,
        runId, targetBranch, engineId);
  }

  JobParameters toJobParameters(String pipelineHash) {
    JobParametersBuilder params = new JobParametersBuilder()
        .addString(PIPELINE, pipeline)
        .addString(VERSION, version)
        .addString(PIPELINE_HASH, pipelineHash)
        .addString(SOURCE, source)
        .addLong(SOURCE_SNAPSHOT, sourceSnapshotId)
        .addString(TARGET, target)
        .addString(REASON, reason, false)
        .addString(ACTOR, actor, false)
        // every request is a new job instance; a restart reuses the failed execution's parameters
        .addString(RUN_ID, runId);
    if (pipelinesDir != null) {
      params.addString(PIPELINES_DIR, pipelinesDir.toString(), false);
    }
    if (targetBranch != null) {
      params.addString(TARGET_BRANCH, targetBranch, false);
    }
    if (engine != null) {
      params.addString(ENGINE, engine, false);
    }
    return params.toJobParameters();
  }

  static RecomputeRequest fromJobParameters(JobParameters params) {
    String dir = params.getString(PIPELINES_DIR);
    return new RecomputeRequest(params.getString(PIPELINE), params.getString(VERSION), params.getString(SOURCE),
        params.getLong(SOURCE_SNAPSHOT), params.getString(TARGET), dir == null ? null : Path.of(dir),
        params.getString(REASON), params.getString(ACTOR), params.getString(RUN_ID), params.getString(TARGET_BRANCH),
        params.getString(ENGINE));
  }

  /** The engine a job runs on; executions made before engines existed ran embedded. */
  static RecomputeEngine engine(JobParameters params) {
    String engine = params.getString(ENGINE);
    return engine == null ? RecomputeEngine.EMBEDDED : RecomputeEngine.of("job parameter engine", engine);
  }

  static String pipelineHash(JobParameters params) {
    return params.getString(PIPELINE_HASH);
  }
}
