package org.rollbackjobs.iceberg.restore;

/** Snapshot summary keys under which a restore commit records where it came from. */
public final class Lineage {
  public static final String REASON = "rollback.reason";
  public static final String TARGET_SNAPSHOT = "rollback.target-snapshot-id";
  public static final String FROM_SNAPSHOT = "rollback.from-snapshot-id";
  public static final String MODE = "rollback.mode";
  public static final String JOB_EXECUTION = "rollback.job-execution-id";
  public static final String ACTOR = "rollback.actor";

  private Lineage() {}
}
