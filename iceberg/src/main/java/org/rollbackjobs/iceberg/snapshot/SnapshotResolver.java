package org.rollbackjobs.iceberg.snapshot;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.HistoryEntry;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableMetadataParser;
import org.rollbackjobs.iceberg.BadInputException;

/**
 * Resolves a {@link SnapshotTarget} to a snapshot that still exists in the table's metadata, or explains why
 * it cannot: unknown id, expired snapshot, instant before the first snapshot, unknown tag.
 */
public final class SnapshotResolver {
  private SnapshotResolver() {}

  public static Snapshot resolve(Table table, SnapshotTarget target) {
    // Java 17: no pattern matching for switch yet
    if (target instanceof SnapshotTarget.Id id) {
      return byId(table, id.snapshotId());
    } else if (target instanceof SnapshotTarget.AsOf asOf) {
      return asOf(table, asOf.instant());
    } else if (target instanceof SnapshotTarget.Tag tag) {
      return byTag(table, tag.name());
    }
    throw new IllegalArgumentException("unknown target " + target);
  }

  static Snapshot byId(Table table, long snapshotId) {
    Snapshot snapshot = table.snapshot(snapshotId);
    if (snapshot != null) {
      return snapshot;
    }
    if (wasExpired(table, snapshotId)) {
      throw new BadInputException("snapshot " + snapshotId + " of table " + table.name()
          + " was expired: it is in the table's history but its metadata and files are gone; "
          + availableSnapshots(table));
    }
    throw new BadInputException("snapshot " + snapshotId + " does not exist in table " + table.name() + "; "
        + availableSnapshots(table));
  }

  static Snapshot asOf(Table table, Instant instant) {
    long millis = instant.toEpochMilli();
    List<HistoryEntry> history = table.history();
    if (history.isEmpty()) {
      throw new BadInputException("table " + table.name() + " has no snapshots yet");
    }
    HistoryEntry first = history.get(0);
    if (millis < first.timestampMillis() && historyWasTruncated(table, first)) {
      throw new BadInputException("the history of table " + table.name() + " before "
          + Instant.ofEpochMilli(first.timestampMillis()) + " was dropped when snapshots were expired, so which"
          + " snapshot was current at " + instant + " is unknown; give a snapshot id instead (--to-snapshot); "
          + availableSnapshots(table));
    }
    if (millis < first.timestampMillis()) {
      throw new BadInputException("timestamp " + instant + " is before the first snapshot of table " + table.name()
          + " (" + Instant.ofEpochMilli(first.timestampMillis()) + "); use a timestamp at or after it");
    }
    // the table as it was at that instant: the last snapshot that became current at or before it
    HistoryEntry atInstant = first;
    for (HistoryEntry entry : history) {
      if (entry.timestampMillis() <= millis) {
        atInstant = entry;
      }
    }
    Snapshot snapshot = table.snapshot(atInstant.snapshotId());
    if (snapshot == null) {
      throw new BadInputException("at " + instant + " table " + table.name() + " was at snapshot "
          + atInstant.snapshotId() + ", which was expired; " + availableSnapshots(table));
    }
    return snapshot;
  }

  static Snapshot byTag(Table table, String name) {
    Map<String, SnapshotRef> refs = table.refs();
    SnapshotRef ref = refs.get(name);
    if (ref == null || !ref.isTag()) {
      String tags = refs.entrySet().stream().filter(e -> e.getValue().isTag()).map(Map.Entry::getKey).sorted()
          .collect(Collectors.joining(", "));
      String what = ref == null ? "does not exist" : "is a branch, not a tag (restore to its snapshot with --to-snapshot "
          + ref.snapshotId() + ")";
      throw new BadInputException("tag '" + name + "' " + what + " in table " + table.name() + "; "
          + (tags.isEmpty() ? "the table has no tags" : "tags: " + tags));
    }
    return byId(table, ref.snapshotId());
  }

  /**
   * Expiry removes a snapshot from the metadata and from the snapshot log, so an expired id is recognised by
   * what still points at it: a surviving snapshot's parent, or an earlier metadata file of the metadata log.
   */
  static boolean wasExpired(Table table, long snapshotId) {
    if (table.history().stream().anyMatch(h -> h.snapshotId() == snapshotId)) {
      return true;
    }
    for (Snapshot snapshot : table.snapshots()) {
      if (Long.valueOf(snapshotId).equals(snapshot.parentId())) {
        return true;
      }
    }
    if (table instanceof HasTableOperations withOps) {
      List<TableMetadata.MetadataLogEntry> previous = withOps.operations().current().previousFiles();
      for (int i = previous.size() - 1; i >= 0; i--) {
        try {
          if (TableMetadataParser.read(table.io(), previous.get(i).file()).snapshot(snapshotId) != null) {
            return true;
          }
        } catch (RuntimeException unreadable) {
          // an old metadata file may have been removed (write.metadata.delete-after-commit.enabled)
        }
      }
    }
    return false;
  }

  /**
   * Iceberg drops the snapshot log before an expired entry: the log is truncated when the oldest surviving
   * snapshot has an expired parent, or when snapshots older than the log's first entry survive.
   */
  private static boolean historyWasTruncated(Table table, HistoryEntry first) {
    return hasExpiredAncestors(table) || StreamSupport.stream(table.snapshots().spliterator(), false)
        .anyMatch(s -> s.timestampMillis() < first.timestampMillis());
  }

  /** The oldest surviving snapshot has a parent: earlier snapshots existed and were expired. */
  private static boolean hasExpiredAncestors(Table table) {
    return StreamSupport.stream(table.snapshots().spliterator(), false)
        .min(Comparator.comparingLong(Snapshot::timestampMillis))
        .map(oldest -> oldest.parentId() != null && table.snapshot(oldest.parentId()) == null)
        .orElse(false);
  }

  private static String availableSnapshots(Table table) {
    List<Snapshot> snapshots = StreamSupport.stream(table.snapshots().spliterator(), false)
        .sorted(Comparator.comparingLong(Snapshot::timestampMillis)).toList();
    if (snapshots.isEmpty()) {
      return "the table has no snapshots";
    }
    String ids = snapshots.stream().skip(Math.max(0, snapshots.size() - 10))
        .map(s -> s.snapshotId() + " (" + Instant.ofEpochMilli(s.timestampMillis()) + ")")
        .collect(Collectors.joining(", "));
    return "available snapshots" + (snapshots.size() > 10 ? " (latest 10 of " + snapshots.size() + ")" : "")
        + ": " + ids + "; list them all with 'snapshots --table " + table.name() + "'";
  }
}
