package org.rollbackjobs.vector.index;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rollbackjobs.vector.source.DocIdType;

/**
 * One build of an index as the registry records it ({@code rollback.index_builds}). A {@code legacy} build is a
 * table that served the name before the suite managed it; it is kept like any previous build.
 */
public record IndexBuild(
    long id,
    IndexName index,
    String buildTable,
    String kind,
    String embeddingVersion,
    int dimension,
    DocIdType docIdType,
    String source,
    Long sourceSnapshot,
    String annShape,
    String status,
    Long rows,
    Long jobExecutionId,
    Instant createdAt,
    Instant servingSince,
    Instant replacedAt,
    Instant keepUntil,
    Instant retiredAt) {

  public static final String BUILDING = "building";
  public static final String LOADED = "loaded";
  public static final String VALIDATED = "validated";
  public static final String SERVING = "serving";
  public static final String PREVIOUS = "previous";
  public static final String RETIRED = "retired";
  public static final String FAILED = "failed";
  public static final String KIND_BUILD = "build";
  public static final String KIND_LEGACY = "legacy";

  /** {@code "schema"."table"}. */
  public String tableSql() {
    return org.rollbackjobs.vector.sql.SqlIdentifier.qualified(index.schema(), buildTable);
  }

  public boolean legacy() {
    return KIND_LEGACY.equals(kind);
  }

  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("build-id", id);
    map.put("table", index.schema() + "." + buildTable);
    map.put("kind", kind);
    map.put("embedding-version", embeddingVersion);
    map.put("dimension", dimension);
    map.put("source", source);
    map.put("source-snapshot", sourceSnapshot);
    map.put("ann", annShape);
    map.put("status", status);
    map.put("rows", rows);
    map.put("job-execution-id", jobExecutionId);
    map.put("created-at", createdAt);
    map.put("serving-since", servingSince);
    map.put("replaced-at", replacedAt);
    map.put("keep-until", keepUntil);
    map.put("retired-at", retiredAt);
    return map;
  }
}
