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

  /**
   * How many partitions to cut {@code splits} tasks into: two per thread. More would make restarts redo less but
   * aggregate worse: every partition emits a partial state for each key it sees, so few large partitions
   * combine many rows per key before anything is spilled or merged.
   */
  public static int partitions(int splits, int threads) {
    return Math.max(1, Math.min(splits, threads * 2));
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
