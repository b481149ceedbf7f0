package org.rollbackjobs.iceberg.verify;

import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.rollbackjobs.iceberg.features.FeatureLineage;
import org.rollbackjobs.iceberg.restore.Lineage;

/**
 * The recompute lineage that describes a feature table's current content: the summary of the recompute commit
 * the content comes from, followed through restores (whose content equals their target snapshot) and
 * compactions ({@code replace}: same rows). A commit of any other kind after it means the content is no longer
 * what the lineage says.
 */
public final class FeatureLineageTrace {
  private FeatureLineageTrace() {}

  /**
   * @param recomputeSnapshotId the recompute commit the lineage was read from
   * @param summary its snapshot summary
   * @param brokenBy the snapshot that changed the content without lineage (then summary is empty)
   */
  public record Trace(Long recomputeSnapshotId, Map<String, String> summary, Snapshot brokenBy) {
    public boolean found() {
      return recomputeSnapshotId != null;
    }

    public String get(String key) {
      return summary.get(key);
    }
  }

  public static Trace of(Table table) {
    return of(table, table.currentSnapshot());
  }

  /** The lineage of the content at {@code head} (the head of a branch). */
  public static Trace of(Table table, Snapshot head) {
    Snapshot snapshot = head;
    for (int hops = 0; snapshot != null && hops < 10_000; hops++) {
      Map<String, String> summary = snapshot.summary() == null ? Map.of() : snapshot.summary();
      if (FeatureLineage.OPERATION_RECOMPUTE.equals(summary.get(FeatureLineage.OPERATION))) {
        return new Trace(snapshot.snapshotId(), summary, null);
      }
      String restoredTo = summary.get(Lineage.TARGET_SNAPSHOT);
      if (restoredTo != null) {
        snapshot = table.snapshot(Long.parseLong(restoredTo));
        continue;
      }
      if (DataOperations.REPLACE.equals(snapshot.operation()) && snapshot.parentId() != null) {
        snapshot = table.snapshot(snapshot.parentId());
        continue;
      }
      return new Trace(null, Map.of(), snapshot);
    }
    return new Trace(null, Map.of(), null);
  }

  public static Optional<Long> sourceSnapshot(Trace trace) {
    String value = trace.get(FeatureLineage.SOURCE_SNAPSHOT);
    return value == null ? Optional.empty() : Optional.of(Long.parseLong(value));
  }
}
