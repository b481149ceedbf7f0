package org.rollbackjobs.iceberg.snapshot;

import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.rollbackjobs.iceberg.BadInputException;

/**
 * Tags that keep pinned snapshots alive: snapshot expiry never removes a snapshot a tag references. Both
 * operations are idempotent, so a capture or retirement that is run again does not fail on its own earlier work.
 */
public final class SnapshotTags {
  private SnapshotTags() {}

  /** Tags {@code snapshotId}; no-op when the tag already points there, bad input when it points elsewhere. */
  public static void create(Table table, String tag, long snapshotId) {
    SnapshotRef existing = table.refs().get(tag);
    if (existing != null) {
      if (existing.isTag() && existing.snapshotId() == snapshotId) {
        return;
      }
      throw new BadInputException(table.name() + " already has a " + (existing.isTag() ? "tag" : "branch") + " '"
          + tag + "' at snapshot " + existing.snapshotId() + "; it cannot also pin snapshot " + snapshotId);
    }
    if (table.snapshot(snapshotId) == null) {
      throw new BadInputException(table.name() + " has no snapshot " + snapshotId + " to tag as '" + tag + "'");
    }
    table.manageSnapshots().createTag(tag, snapshotId).commit();
  }

  /** Removes the tag; returns false when there was none. A branch of that name is left alone. */
  public static boolean remove(Table table, String tag) {
    SnapshotRef existing = table.refs().get(tag);
    if (existing == null || !existing.isTag()) {
      return false;
    }
    table.manageSnapshots().removeTag(tag).commit();
    return true;
  }
}
