package org.rollbackjobs.jobs.system;

import java.util.regex.Pattern;
import org.rollbackjobs.vector.index.IndexName;

/**
 * Where a drill rehearses a system's rollback: an Iceberg branch {@code drill-<run-id>} of every dataset and
 * feature table, and a PostgreSQL schema {@code rollback_drill_<run-id>} for the indexes (their builds and serving
 * views). Production names never appear in it, so production cannot be written through it.
 *
 * @param runId lower-case letters and digits (it becomes part of a schema name)
 */
public record Sandbox(String runId) {
  public static final String BRANCH_PREFIX = "drill-";
  public static final String SCHEMA_PREFIX = "rollback_drill_";
  private static final Pattern RUN_ID = Pattern.compile("[a-z0-9]{1,32}");

  public Sandbox {
    if (runId == null || !RUN_ID.matcher(runId).matches()) {
      throw new IllegalArgumentException("a drill run id is 1 to 32 lower-case letters and digits, not " + runId);
    }
  }

  /** The sandbox of {@code runId}, or null for production (no run id). */
  public static Sandbox of(String runId) {
    return runId == null ? null : new Sandbox(runId);
  }

  public String branch() {
    return BRANCH_PREFIX + runId;
  }

  public String schema() {
    return SCHEMA_PREFIX + runId;
  }

  /** Whether an index lives in a drill's sandbox schema (its switch leaves the shared embedding registry alone). */
  public static boolean holds(IndexName index) {
    return index.schema().startsWith(SCHEMA_PREFIX);
  }

  /** The system with every index moved into the sandbox's schema; datasets and feature tables keep their names. */
  public SystemDefinition apply(SystemDefinition system) {
    return new SystemDefinition(system.name(), system.datasets(), system.features(), system.indexes().stream()
        .map(i -> new IndexSpec(i.name(), schema(), i.source(), i.idColumn(), i.textColumn(), i.embedding()))
        .toList(), system.models(), system.prompts(), system.file(), system.sha256());
  }
}
