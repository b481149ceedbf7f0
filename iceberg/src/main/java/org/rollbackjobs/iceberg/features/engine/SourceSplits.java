package org.rollbackjobs.iceberg.features.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.TableScanUtil;

/**
 * The source snapshot's file scan tasks (files split at row-group boundaries), in a deterministic order, and
 * their assignment to map partitions. Every worker plans the same list from the pinned snapshot, so a
 * partition is described by its index alone, also after a restart in another process.
 */
public final class SourceSplits {
  private SourceSplits() {}

  public static List<FileScanTask> plan(Table source, long snapshotId, Schema projection, long splitSize) {
    List<FileScanTask> tasks = new ArrayList<>();
    CloseableIterable<FileScanTask> files = source.newScan().useSnapshot(snapshotId).project(projection).planFiles();
    try (CloseableIterable<FileScanTask> splits = TableScanUtil.splitFiles(files, splitSize)) { // closes files too
      splits.forEach(tasks::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot plan the scan of " + source.name() + " at snapshot " + snapshotId, e);
    }
    tasks.sort(Comparator.comparing((FileScanTask t) -> t.file().location()).thenComparingLong(FileScanTask::start));
    return tasks;
  }

  /** Source rows per map partition beyond which a table gets more partitions than threads. */
  static final long ROWS_PER_PARTITION = 20_000_000L;

  /**
   * How many partitions to cut {@code splits} tasks of {@code rows} rows into: one per thread, so that each
   * partition combines as many rows per key as it can before its partial states are spilled (every partition
   * spills a state for each key it saw, and the reduce side merges them all); more for large tables, so that a
   * restart redoes at most about {@link #ROWS_PER_PARTITION} rows per unfinished partition.
   */
  public static int partitions(int splits, long rows, int threads) {
    long wanted = Math.max(threads, (rows + ROWS_PER_PARTITION - 1) / ROWS_PER_PARTITION);
    return (int) Math.max(1, Math.min(splits, wanted));
  }

  /**
   * The tasks of partition {@code index} of {@code partitions}: contiguous runs of the ordered list with about
   * the same number of bytes each.
   */
  public static List<FileScanTask> partition(List<FileScanTask> tasks, int index, int partitions) {
    long total = tasks.stream().mapToLong(FileScanTask::length).sum();
    List<FileScanTask> mine = new ArrayList<>();
    long before = 0;
    for (FileScanTask task : tasks) {
      // a task belongs to the partition its middle byte falls in
      long middle = before + task.length() / 2;
      int owner = total == 0 ? 0 : (int) Math.min(partitions - 1, middle * partitions / total);
      if (owner == index) {
        mine.add(task);
      }
      before += task.length();
    }
    return mine;
  }
}
