package org.rollbackjobs.vector.index;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rollbackjobs.vector.embedding.EmbeddingVersion;
import org.rollbackjobs.vector.source.DocIdType;

/**
 * What a rebuild would do, computed without changing anything.
 *
 * @param vectors where the vectors come from ({@code model NAME} or {@code stored TABLE@SNAPSHOT})
 * @param documents documents in the source at its pinned snapshot
 * @param serving what the serving name is now
 * @param versionStatus the target version's registry status ({@code unregistered} before first use)
 * @param rollback whether switching replaces other versions by one the index served before
 * @param wouldQuarantine versions a successful switch would quarantine
 * @param noop the name already serves an equivalent build (same version, source snapshot and index shape)
 * @param retirable previous builds past their cool-down that the run would drop
 */
public record RebuildPlan(
    IndexName index,
    EmbeddingVersion version,
    String vectors,
    String source,
    Long sourceSnapshot,
    long documents,
    DocIdType docIdType,
    AnnSpec ann,
    ProbeSettings probe,
    Duration coolDown,
    ServingState serving,
    String versionStatus,
    boolean rollback,
    List<String> wouldQuarantine,
    boolean noop,
    List<IndexBuild> retirable) {

  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("index", index.toString());
    map.put("embedding-version", version.toMap());
    map.put("version-status", versionStatus);
    map.put("vectors", vectors);
    map.put("source", source);
    map.put("source-snapshot", sourceSnapshot);
    map.put("documents", documents);
    map.put("doc-id-type", docIdType.sql());
    map.put("ann", ann.toMap());
    map.put("recall-floor", probe.recallFloor());
    map.put("cool-down-seconds", coolDown.toSeconds());
    Map<String, Object> current = new LinkedHashMap<>();
    current.put("kind", serving.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    current.put("build-id", serving.servingBuildId());
    current.put("dimension", serving.dimension());
    current.put("rows", serving.rows());
    current.put("versions", serving.versions());
    current.put("mixed", serving.mixed());
    map.put("serving", current);
    map.put("rollback", rollback);
    map.put("would-quarantine", wouldQuarantine);
    map.put("noop", noop);
    map.put("retirable-builds", retirable.stream().map(IndexBuild::id).toList());
    return map;
  }
}
