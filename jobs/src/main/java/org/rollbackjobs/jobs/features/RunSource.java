package org.rollbackjobs.jobs.features;

import java.util.List;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.iceberg.features.engine.SourceSplits;

/**
 * The source table of one recompute execution and the file scan tasks of its plan, each made once on first use
 * and then shared by all its partitions and its commit: loading the table is a catalog round trip and a metadata
 * file to parse, planning the splits reads the manifests. The snapshot read is pinned in the plan, so a table
 * loaded at the start of the run serves all of it.
 */
final class RunSource {
  private final Catalog catalog;
  private final RecomputePlan plan;
  private Table table;
  private List<FileScanTask> splits;

  RunSource(Catalog catalog, RecomputePlan plan) {
    this.catalog = catalog;
    this.plan = plan;
  }

  synchronized Table table() {
    if (table == null) {
      table = CatalogLoader.loadTable(catalog, plan.sourceTable());
    }
    return table;
  }

  /** The plan's file scan tasks, checked against its count of splits. */
  synchronized List<FileScanTask> splits() {
    if (splits == null) {
      List<FileScanTask> planned = SourceSplits.plan(table(), plan.sourceSnapshotId(), plan.projection(),
          plan.splitSize());
      if (planned.size() != plan.splits()) {
        throw new IllegalStateException("the scan of " + plan.sourceTable() + " at snapshot "
            + plan.sourceSnapshotId() + " has " + planned.size() + " splits, the plan " + plan.splits()
            + " (split size changed?)");
      }
      splits = List.copyOf(planned);
    }
    return splits;
  }
}
