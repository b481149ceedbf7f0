package org.rollbackjobs.iceberg.verify;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.rollbackjobs.iceberg.features.engine.SourceReader;
import org.rollbackjobs.iceberg.snapshot.Refs;

/**
 * Checks that a dataset's current content equals its pinned snapshot's: the same data files with the same
 * delete files (metadata only), or else the same rows (only the files that differ are read, so a compaction
 * after a rollback is not a finding).
 *
 * <pre>{@code
 * List<TableFinding> findings = DatasetCheck.of(table).pinned(snapshotId).run();
 * }</pre>
 */
public final class DatasetCheck {
  public static final String SNAPSHOT_MISSING = "dataset-pinned-snapshot-missing";
  public static final String CONTENT_DIFFERS = "dataset-content-differs";

  private final Table table;
  private String name;
  private long pinned;
  private String ref;
  private int examples = 5;
  private long rowComparisonLimit = 20_000_000L;

  private DatasetCheck(Table table) {
    this.table = table;
  }

  public static DatasetCheck of(Table table) {
    return new DatasetCheck(table);
  }

  /** The name in messages (default: the table's name with its catalog), as commands take it: {@code NS.TABLE}. */
  public DatasetCheck named(String displayName) {
    this.name = displayName;
    return this;
  }

  public DatasetCheck pinned(long snapshotId) {
    this.pinned = snapshotId;
    return this;
  }

  /** Checks this branch instead of main (as Iceberg's {@code TableScan.useRef}): a drill's sandbox. */
  public DatasetCheck useRef(String branch) {
    this.ref = branch;
    return this;
  }

  public DatasetCheck exampleLimit(int limit) {
    this.examples = limit;
    return this;
  }

  /** Above this many rows in differing files, only the file difference is reported. */
  public DatasetCheck rowComparisonLimit(long rows) {
    this.rowComparisonLimit = rows;
    return this;
  }

  public List<TableFinding> run() {
    String name = this.name != null ? this.name : table.name();
    Snapshot pinnedSnapshot = table.snapshot(pinned);
    if (pinnedSnapshot == null) {
      return List.of(new TableFinding(SNAPSHOT_MISSING, name + ": the pinned snapshot " + pinned + " no longer"
          + " exists (expired?); the content cannot be compared", 1, List.of(String.valueOf(pinned))));
    }
    Snapshot current = Refs.head(table, ref);
    if (current != null && current.snapshotId() == pinned) {
      return List.of();
    }
    Map<String, FileScanTask> now = tasks(current);
    Map<String, FileScanTask> then = tasks(pinnedSnapshot);
    List<FileScanTask> onlyNow = differing(now, then);
    List<FileScanTask> onlyThen = differing(then, now);
    if (onlyNow.isEmpty() && onlyThen.isEmpty()) {
      return List.of();
    }
    long rowsToRead = rows(onlyNow) + rows(onlyThen);
    String currentId = current == null ? "none" : String.valueOf(current.snapshotId());
    List<String> fileExamples = new ArrayList<>();
    onlyNow.stream().limit(examples).forEach(t -> fileExamples.add("+" + fileName(t)));
    onlyThen.stream().limit(examples).forEach(t -> fileExamples.add("-" + fileName(t)));
    String fix = " (restore it with 'restore --table " + name + " --to-snapshot " + pinned
        + " --reason \"back to the pinned snapshot\"')";
    if (rowsToRead > rowComparisonLimit) {
      return List.of(new TableFinding(CONTENT_DIFFERS, name + ": current snapshot " + currentId + " has "
          + onlyNow.size() + " data files that the pinned snapshot " + pinned + " lacks and lacks " + onlyThen.size()
          + " of its files (rows not compared: " + rowsToRead + " rows in those files)" + fix,
          onlyNow.size() + onlyThen.size(), fileExamples));
    }
    RowDigests extra = digests(onlyNow);
    RowDigests missing = digests(onlyThen);
    long extraRows = extra.notIn(missing);
    long missingRows = missing.notIn(extra);
    if (extraRows == 0 && missingRows == 0) {
      return List.of(); // rewritten files, same rows
    }
    return List.of(new TableFinding(CONTENT_DIFFERS, name + ": current snapshot " + currentId + " differs from"
        + " the pinned snapshot " + pinned + ": " + extraRows + " rows not in the pinned snapshot, " + missingRows
        + " pinned rows missing (in " + onlyNow.size() + " added and " + onlyThen.size() + " removed data files)"
        + fix, extraRows + missingRows, fileExamples));
  }

  private Map<String, FileScanTask> tasks(Snapshot snapshot) {
    Map<String, FileScanTask> tasks = new HashMap<>();
    if (snapshot == null) {
      return tasks;
    }
    try (CloseableIterable<FileScanTask> files = table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
      files.forEach(task -> tasks.put(task.file().location(), task));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot plan " + table.name() + " at snapshot " + snapshot.snapshotId(), e);
    }
    return tasks;
  }

  /** Tasks of {@code a} whose file is not in {@code b}, or is there with other delete files. */
  private static List<FileScanTask> differing(Map<String, FileScanTask> a, Map<String, FileScanTask> b) {
    List<FileScanTask> differing = new ArrayList<>();
    for (Map.Entry<String, FileScanTask> e : a.entrySet()) {
      FileScanTask other = b.get(e.getKey());
      if (other == null || !Objects.equals(deletes(e.getValue()), deletes(other))) {
        differing.add(e.getValue());
      }
    }
    differing.sort(java.util.Comparator.comparing(t -> t.file().location()));
    return differing;
  }

  private static Set<String> deletes(FileScanTask task) {
    return task.deletes().stream().map(d -> d.location()).collect(Collectors.toCollection(TreeSet::new));
  }

  private static long rows(List<FileScanTask> tasks) {
    return tasks.stream().mapToLong(t -> t.file().recordCount()).sum();
  }

  private RowDigests digests(List<FileScanTask> tasks) {
    RowDigests digests = new RowDigests();
    int columns = table.schema().columns().size();
    for (FileScanTask task : tasks) {
      try (CloseableIterable<Record> records = SourceReader.open(table, task, table.schema())) {
        records.forEach(r -> digests.add(r, columns));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + task.file().location(), e);
      }
    }
    return digests;
  }

  private static String fileName(FileScanTask task) {
    String location = task.file().location();
    return location.substring(location.lastIndexOf('/') + 1);
  }
}
