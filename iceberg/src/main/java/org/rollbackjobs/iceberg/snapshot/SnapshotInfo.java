package org.rollbackjobs.iceberg.snapshot;

import java.time.Instant;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;

/** One snapshot as the {@code snapshots} command shows it; counts come from the snapshot summary. */
public record SnapshotInfo(
    long snapshotId,
    Long parentId,
    Instant timestamp,
    String operation,
    long addedRecords,
    long deletedRecords,
    long addedDataFiles,
    long deletedDataFiles,
    long totalRecords,
    long totalDataFiles,
    boolean current,
    Map<String, String> summary) {

  static SnapshotInfo of(Snapshot snapshot, boolean current) {
    Map<String, String> s = snapshot.summary() == null ? Map.of() : snapshot.summary();
    return new SnapshotInfo(
        snapshot.snapshotId(),
        snapshot.parentId(),
        Instant.ofEpochMilli(snapshot.timestampMillis()),
        snapshot.operation(),
        count(s, SnapshotSummary.ADDED_RECORDS_PROP),
        count(s, SnapshotSummary.DELETED_RECORDS_PROP),
        count(s, SnapshotSummary.ADDED_FILES_PROP),
        count(s, SnapshotSummary.DELETED_FILES_PROP),
        count(s, SnapshotSummary.TOTAL_RECORDS_PROP),
        count(s, SnapshotSummary.TOTAL_DATA_FILES_PROP),
        current,
        s);
  }

  private static long count(Map<String, String> summary, String key) {
    String value = summary.get(key);
    return value == null ? 0L : Long.parseLong(value);
  }
}
