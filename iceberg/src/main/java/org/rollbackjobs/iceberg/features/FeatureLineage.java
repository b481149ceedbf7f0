package org.rollbackjobs.iceberg.features;

import org.rollbackjobs.iceberg.restore.Lineage;

/**
 * Snapshot summary keys under which a feature recompute records what the feature table was made from. Reason,
 * actor and job execution use the suite's common keys ({@link Lineage}).
 */
public final class FeatureLineage {
  public static final String OPERATION = "rollback.operation";
  public static final String OPERATION_RECOMPUTE = "recompute-features";
  public static final String SOURCE_TABLE = "rollback.source-table";
  public static final String SOURCE_SNAPSHOT = "rollback.source-snapshot-id";
  public static final String PIPELINE = "rollback.pipeline";
  public static final String PIPELINE_VERSION = "rollback.pipeline-version";
  public static final String PIPELINE_HASH = "rollback.pipeline-hash";
  /** Identifies one recompute request; a commit retried after a crash finds its own earlier commit by it. */
  public static final String RUN_ID = "rollback.recompute-run-id";
  /** Set by system rollbacks (manifests): the manifest the feature table was recomputed for. */
  public static final String MANIFEST = "rollback.manifest-id";
  /** The engine that computed the data: {@value #ENGINE_SPARK}; absent for the embedded engine. */
  public static final String ENGINE = "rollback.engine";
  public static final String ENGINE_SPARK = "spark";
  public static final String JOB_EXECUTION = Lineage.JOB_EXECUTION;
  public static final String REASON = Lineage.REASON;
  public static final String ACTOR = Lineage.ACTOR;

  private FeatureLineage() {}
}
