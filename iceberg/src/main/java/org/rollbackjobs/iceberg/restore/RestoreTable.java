package org.rollbackjobs.iceberg.restore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileContent;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.util.ContentFileUtil;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.ConcurrentChangeException;
import org.rollbackjobs.iceberg.snapshot.Refs;
import org.rollbackjobs.iceberg.snapshot.SnapshotResolver;
import org.rollbackjobs.iceberg.snapshot.SnapshotTarget;

/**
 * A pending restore of one table's main branch (or another branch: {@link #toBranch(String)}) to an earlier
 * snapshot, in the style of Iceberg's own pending
 * updates: configure, {@link #plan()} (validates, changes nothing), then {@link #commit()}.
 *
 * <pre>
 * RestoreResult result = RestoreTable.of(table)
 *     .to(SnapshotTarget.tag("known-good"))
 *     .mode(RestoreMode.COMMIT)
 *     .set(Lineage.REASON, "bad upstream load")
 *     .commit();
 * </pre>
 *
 * <p>Concurrency: the plan is made against the table's metadata at planning time; if another writer commits
 * before this restore does, the commit is refused with {@link ConcurrentChangeException} and nothing changes.
 */
public final class RestoreTable {
  private final Table table;
  private final TableOperations ops;
  private final Map<String, String> summary = new LinkedHashMap<>();
  private SnapshotTarget target;
  private RestoreMode mode = RestoreMode.COMMIT;
  private String branch;

  private TableMetadata base;
  private SnapshotFiles currentFiles;
  private SnapshotFiles targetFiles;
  private RestorePlan plan;

  private RestoreTable(Table table) {
    if (!(table instanceof HasTableOperations withOps)) {
      throw new IllegalArgumentException("table " + table.name() + " is not a catalog table (no table operations)");
    }
    this.table = table;
    this.ops = withOps.operations();
  }

  public static RestoreTable of(Table table) {
    return new RestoreTable(Objects.requireNonNull(table, "table"));
  }

  public RestoreTable to(SnapshotTarget snapshotTarget) {
    this.target = Objects.requireNonNull(snapshotTarget, "target");
    this.plan = null;
    return this;
  }

  public RestoreTable mode(RestoreMode restoreMode) {
    this.mode = Objects.requireNonNull(restoreMode, "mode");
    this.plan = null;
    return this;
  }

  /**
   * Restores this branch instead of main, as Iceberg's {@code SnapshotUpdate.toBranch}: main and every other
   * branch stay as they are (a drill restores its own branch). The branch must exist.
   */
  public RestoreTable toBranch(String branchName) {
    this.branch = Refs.isMain(branchName) ? null : branchName;
    this.plan = null;
    return this;
  }

  /** Records a property in the restore snapshot's summary (lineage); ignored in pointer mode, which makes no snapshot. */
  public RestoreTable set(String key, String value) {
    if (value != null) {
      summary.put(key, value);
    }
    return this;
  }

  /** Resolves the target and computes what would change. Changes nothing; the result is kept for {@link #commit()}. */
  public RestorePlan plan() {
    if (plan != null) {
      return plan;
    }
    if (target == null) {
      throw new BadInputException("no restore target: give a snapshot id, a timestamp or a tag");
    }
    table.refresh(); // refreshes ops too: target and base come from the same metadata
    base = ops.current();
    Snapshot to = SnapshotResolver.resolve(table, target);
    Snapshot from = Refs.head(table, branch);
    currentFiles = SnapshotFiles.of(table, from);
    targetFiles = SnapshotFiles.of(table, to);

    List<DataFile> restore = missingFrom(targetFiles.dataFiles(), currentFiles.dataFiles().keySet());
    List<DataFile> discard = missingFrom(currentFiles.dataFiles(), targetFiles.dataFiles().keySet());
    List<DeleteFile> restoreDeletes = missingFrom(targetFiles.deleteFiles(), currentFiles.deleteFiles().keySet());
    List<DeleteFile> discardDeletes = missingFrom(currentFiles.deleteFiles(), targetFiles.deleteFiles().keySet());
    boolean atTarget = (from != null && from.snapshotId() == to.snapshotId())
        || (restore.isEmpty() && discard.isEmpty() && restoreDeletes.isEmpty() && discardDeletes.isEmpty());

    if (mode == RestoreMode.COMMIT && !atTarget) {
      checkCommitModeKeepsDeleteSemantics(to, restore, restoreDeletes);
    }
    plan = new RestorePlan(
        table.name(), mode, target.describe(),
        from == null ? null : from.snapshotId(), to.snapshotId(),
        restore.stream().map(DataFile::location).toList(),
        discard.stream().map(DataFile::location).toList(),
        restore.stream().mapToLong(DataFile::recordCount).sum(),
        discard.stream().mapToLong(DataFile::recordCount).sum(),
        restoreDeletes.stream().map(DeleteFile::location).toList(),
        discardDeletes.stream().map(DeleteFile::location).toList(),
        targetFiles.dataFiles().size(), targetFiles.records(), atTarget);
    return plan;
  }

  /** Plans (if not done yet) and applies the restore. Does nothing when the table already is in the target state. */
  public RestoreResult commit() {
    long started = System.nanoTime();
    RestorePlan p = plan();
    if (p.alreadyAtTarget()) {
      return new RestoreResult(p, currentId(), false, Duration.ofNanos(System.nanoTime() - started));
    }
    try {
      if (mode == RestoreMode.POINTER) {
        movePointer(p);
      } else {
        commitTargetContent(p);
      }
    } catch (CommitFailedException | ValidationException e) {
      throw new ConcurrentChangeException("table " + table.name() + " changed while the restore was running"
          + " (planned from snapshot " + p.fromSnapshotId() + "); the restore was not committed and nothing"
          + " changed; run it again to plan against the new state. Cause: " + e.getMessage(), e);
    }
    table.refresh();
    return new RestoreResult(p, currentId(), true, Duration.ofNanos(System.nanoTime() - started));
  }

  private void movePointer(RestorePlan p) {
    // a commit against the planned base: the catalog refuses it if anyone committed since planning
    TableMetadata updated = TableMetadata.buildFrom(base)
        .setBranchSnapshot(p.toSnapshotId(), Refs.name(branch))
        .build();
    ops.commit(base, updated);
  }

  private void commitTargetContent(RestorePlan p) {
    Set<String> restore = Set.copyOf(p.filesToRestore());
    Set<String> discard = Set.copyOf(p.filesToDiscard());
    SnapshotUpdate<?> update;
    if (p.deleteFilesToRestore().isEmpty() && p.deleteFilesToDiscard().isEmpty()) {
      OverwriteFiles overwrite = table.newOverwrite();
      currentFiles.dataFiles().values().stream().filter(f -> discard.contains(f.location())).forEach(overwrite::deleteFile);
      targetFiles.dataFiles().values().stream().filter(f -> restore.contains(f.location())).forEach(overwrite::addFile);
      if (p.fromSnapshotId() != null) {
        overwrite.validateFromSnapshot(p.fromSnapshotId());
      }
      overwrite.conflictDetectionFilter(Expressions.alwaysTrue())
          .validateNoConflictingData()
          .validateNoConflictingDeletes();
      update = overwrite;
    } else {
      Set<String> restoreDeletes = Set.copyOf(p.deleteFilesToRestore());
      Set<String> discardDeletes = Set.copyOf(p.deleteFilesToDiscard());
      RowDelta delta = table.newRowDelta();
      currentFiles.dataFiles().values().stream().filter(f -> discard.contains(f.location())).forEach(delta::removeRows);
      targetFiles.dataFiles().values().stream().filter(f -> restore.contains(f.location())).forEach(delta::addRows);
      currentFiles.deleteFiles().values().stream().filter(f -> discardDeletes.contains(f.location()))
          .forEach(delta::removeDeletes);
      targetFiles.deleteFiles().values().stream().filter(f -> restoreDeletes.contains(f.location()))
          .forEach(delta::addDeletes);
      if (p.fromSnapshotId() != null) {
        delta.validateFromSnapshot(p.fromSnapshotId());
      }
      delta.conflictDetectionFilter(Expressions.alwaysTrue())
          .validateNoConflictingDataFiles()
          .validateNoConflictingDeleteFiles()
          .validateDeletedFiles();
      update = delta;
    }
    summary.forEach(update::set);
    if (branch != null) {
      update.toBranch(branch);
    }
    update.set(Lineage.TARGET_SNAPSHOT, Long.toString(p.toSnapshotId()));
    if (p.fromSnapshotId() != null) {
      update.set(Lineage.FROM_SNAPSHOT, Long.toString(p.fromSnapshotId()));
    }
    update.set(Lineage.MODE, RestoreMode.COMMIT.label());
    update.commit();
  }

  /**
   * Iceberg applies delete files by sequence number, and files added back get a new one. Re-added position
   * deletes still reach the data files added back with them, but equality deletes, and delete files that stay
   * while data files are added back, would no longer hide the rows they hid in the target. Those cases need
   * pointer mode, which restores the target's metadata exactly.
   */
  private void checkCommitModeKeepsDeleteSemantics(Snapshot to, List<DataFile> restore, List<DeleteFile> restoreDeletes) {
    boolean reAddsEqualityDeletes = restoreDeletes.stream().anyMatch(f -> f.content() == FileContent.EQUALITY_DELETES);
    Set<String> restored = new HashSet<>();
    restore.forEach(f -> restored.add(f.location()));
    // a kept delete file matters only if it may cover a data file that is added back
    boolean keptDeletes = targetFiles.deleteFiles().values().stream()
        .filter(f -> currentFiles.deleteFiles().containsKey(f.location()))
        .anyMatch(f -> {
          String covers = ContentFileUtil.referencedDataFileLocation(f);
          return covers == null || restored.contains(covers);
        });
    boolean unsafe = reAddsEqualityDeletes
        || (!restore.isEmpty() && (targetFiles.hasEqualityDeletes() || keptDeletes));
    if (unsafe) {
      throw new BadInputException("--mode commit cannot restore table " + table.name() + " to snapshot "
          + to.snapshotId() + " without rewriting data: its delete files would hide different rows once the"
          + " target's data files are added back with new sequence numbers; use --mode pointer, which moves the"
          + " table back to that snapshot's exact metadata");
    }
  }

  private long currentId() {
    Snapshot current = Refs.head(table, branch);
    return current == null ? -1L : current.snapshotId();
  }

  private static <F> List<F> missingFrom(Map<String, F> files, Set<String> others) {
    List<F> missing = new ArrayList<>();
    files.forEach((location, file) -> {
      if (!others.contains(location)) {
        missing.add(file);
      }
    });
    return missing;
  }
}
