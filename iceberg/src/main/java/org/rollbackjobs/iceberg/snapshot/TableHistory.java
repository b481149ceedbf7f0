package org.rollbackjobs.iceberg.snapshot;

import java.util.Comparator;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/** The snapshots, tags and branches of a table, oldest snapshot first. */
public record TableHistory(String table, Long currentSnapshotId, List<SnapshotInfo> snapshots, List<RefInfo> refs) {

  public static TableHistory of(Table table) {
    Snapshot current = table.currentSnapshot();
    Long currentId = current == null ? null : current.snapshotId();
    List<SnapshotInfo> snapshots = StreamSupport.stream(table.snapshots().spliterator(), false)
        .sorted(Comparator.comparingLong(Snapshot::timestampMillis).thenComparingLong(Snapshot::sequenceNumber))
        .map(s -> SnapshotInfo.of(s, currentId != null && s.snapshotId() == currentId))
        .toList();
    List<RefInfo> refs = table.refs().entrySet().stream()
        .map(e -> new RefInfo(e.getKey(), e.getValue().isTag() ? "tag" : "branch", e.getValue().snapshotId()))
        .sorted(Comparator.comparing(RefInfo::type).thenComparing(RefInfo::name))
        .toList();
    return new TableHistory(table.name(), currentId, snapshots, refs);
  }
}
