package org.rollbackjobs.iceberg.snapshot;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;
import org.rollbackjobs.iceberg.BadInputException;

/**
 * The head of a table's branch, as the operations that take a branch ({@code toBranch(...)} for writes,
 * {@code useRef(...)} for checks, in the style of Iceberg's own API) read it: null or {@code main} is the current
 * snapshot, anything else must be an existing branch (a tag cannot be written to).
 */
public final class Refs {
  private Refs() {}

  public static boolean isMain(String branch) {
    return branch == null || SnapshotRef.MAIN_BRANCH.equals(branch);
  }

  /** The snapshot at the head of {@code branch}, or null when the table (main) has none yet. */
  public static Snapshot head(Table table, String branch) {
    if (isMain(branch)) {
      return table.currentSnapshot();
    }
    SnapshotRef ref = table.refs().get(branch);
    if (ref == null || !ref.isBranch()) {
      throw new BadInputException("table " + table.name() + " has no branch '" + branch + "' (branches: "
          + String.join(", ", table.refs().entrySet().stream().filter(e -> e.getValue().isBranch())
          .map(java.util.Map.Entry::getKey).sorted().toList()) + ")");
    }
    return table.snapshot(ref.snapshotId());
  }

  /** {@code main} for null, else the branch. */
  public static String name(String branch) {
    return isMain(branch) ? SnapshotRef.MAIN_BRANCH : branch;
  }
}
