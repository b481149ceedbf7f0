package org.rollbackjobs.iceberg.features.engine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.RuntimeIOException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.rollbackjobs.iceberg.ConcurrentChangeException;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.features.FeatureLineage;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.iceberg.snapshot.Refs;

/**
 * The single commit of a recompute: one Iceberg transaction that creates the feature table or evolves its
 * schema, and replaces its whole content with the new data files, with the lineage in the snapshot summary.
 * Nothing of a recompute is visible before it, and running it again after a crash finds the earlier commit
 * (by the run id in the summary) instead of committing twice.
 */
public final class FeatureCommit {
  private FeatureCommit() {}

  /** @param alreadyCommitted the commit had been made by an earlier attempt of the same run */
  public record Outcome(long snapshotId, boolean alreadyCommitted, int dataFiles, long rows) {}

  public static Outcome commit(Catalog catalog, FileIO io, RecomputePlan plan, List<String> dataFilePaths,
      Map<String, String> summary) {
    TableIdentifier id = TableName.parse(plan.targetTable());
    Schema planned = plan.outputSchema();
    String branch = plan.targetBranch();
    try {
      if (catalog.tableExists(id)) {
        Table table = catalog.loadTable(id);
        Snapshot earlier = findRun(table, plan.runId(), branch);
        if (earlier != null) {
          return new Outcome(earlier.snapshotId(), true, dataFilePaths.size(), rows(earlier));
        }
        FeatureTables.requireUnpartitioned(table);
        Transaction transaction = table.newTransaction();
        if (branch == null) {
          FeatureTables.evolveIfNeeded(table, transaction, planned);
          requireSchema(transaction.table().schema(), planned, table.name());
        } else {
          FeatureTables.requireOnBranch(table.schema(), planned, table.name()); // main keeps its schema
        }
        List<DataFile> files = dataFiles(table.io(), dataFilePaths, MetricsConfig.forTable(table));
        Snapshot base = Refs.head(table, branch);
        OverwriteFiles overwrite = transaction.newOverwrite().overwriteByRowFilter(Expressions.alwaysTrue());
        if (branch != null) {
          overwrite.toBranch(branch); // main stays as it is (a drill's sandbox)
        }
        files.forEach(overwrite::addFile);
        if (base != null) {
          // the content is replaced as of the state read here: a writer committing in between fails the commit
          overwrite.validateFromSnapshot(base.snapshotId())
              .conflictDetectionFilter(Expressions.alwaysTrue())
              .validateNoConflictingData()
              .validateNoConflictingDeletes();
        }
        lineage(overwrite, plan, summary);
        overwrite.commit();
        transaction.commitTransaction();
        table.refresh();
        return new Outcome(Refs.head(table, branch).snapshotId(), false, files.size(), sum(files));
      }
      if (branch != null) {
        throw new IllegalStateException("feature table " + id + " no longer exists: nothing to commit to branch "
            + branch);
      }
      createNamespace(catalog, id.namespace());
      Transaction create = catalog.buildTable(id, planned)
          .withLocation(plan.targetLocation())
          .withProperties(plan.targetProperties())
          .createTransaction();
      requireSchema(create.table().schema(), planned, id.toString());
      List<DataFile> files = dataFiles(io, dataFilePaths, MetricsConfig.fromProperties(plan.targetProperties()));
      AppendFiles append = create.newAppend();
      files.forEach(append::appendFile);
      lineage(append, plan, summary);
      append.commit();
      create.commitTransaction();
      // the transaction's table is the metadata just committed (a create is not retried): no second load
      return new Outcome(create.table().currentSnapshot().snapshotId(), false, files.size(), sum(files));
    } catch (CommitFailedException | ValidationException | AlreadyExistsException e) {
      throw new ConcurrentChangeException("feature table " + plan.targetTable() + " changed while the recompute"
          + " was committing; nothing was committed. Cause: " + e.getMessage(), e);
    }
  }

  /**
   * For an engine that writes and commits the data itself (Spark): makes the feature table ready for the
   * planned output without making a snapshot. A missing table is created empty (with the planned location and
   * properties), an existing one gets the planned schema changes (columns added, retyped or dropped; data of
   * earlier snapshots stays readable); on a branch nothing changes (main keeps its schema).
   */
  public static void prepareTarget(Catalog catalog, RecomputePlan plan) {
    TableIdentifier id = TableName.parse(plan.targetTable());
    Schema planned = plan.outputSchema();
    try {
      if (catalog.tableExists(id)) {
        Table table = catalog.loadTable(id);
        FeatureTables.requireUnpartitioned(table);
        if (plan.targetBranch() != null) {
          FeatureTables.requireOnBranch(table.schema(), planned, table.name());
          return;
        }
        Transaction transaction = table.newTransaction();
        if (!FeatureTables.evolveIfNeeded(table, transaction, planned).isEmpty()) {
          transaction.commitTransaction();
          table.refresh();
        }
        requireSchema(table.schema(), planned, table.name());
        return;
      }
      if (plan.targetBranch() != null) {
        throw new IllegalStateException("feature table " + id + " no longer exists: nothing to write to branch "
            + plan.targetBranch());
      }
      createNamespace(catalog, id.namespace());
      Table created = catalog.buildTable(id, planned)
          .withLocation(plan.targetLocation())
          .withProperties(plan.targetProperties())
          .create();
      requireSchema(created.schema(), planned, id.toString());
    } catch (CommitFailedException | ValidationException | AlreadyExistsException e) {
      throw new ConcurrentChangeException("feature table " + plan.targetTable() + " changed while the recompute"
          + " was preparing it; nothing was committed. Cause: " + e.getMessage(), e);
    }
  }

  /** The snapshot of the history of {@code branch} (null: main) committed by recompute run {@code runId}, if any. */
  public static Snapshot findRun(Table table, String runId, String branch) {
    Snapshot head = Refs.head(table, branch);
    if (head == null) {
      return null;
    }
    for (Snapshot snapshot : SnapshotUtil.ancestorsOf(head.snapshotId(), table::snapshot)) {
      if (runId.equals(snapshot.summary().get(FeatureLineage.RUN_ID))) {
        return snapshot;
      }
    }
    return null;
  }

  /** A data file's metadata from its Parquet footer: the commit needs only the paths the workers wrote. */
  static List<DataFile> dataFiles(FileIO io, List<String> paths, MetricsConfig metrics) {
    List<DataFile> files = new ArrayList<>(paths.size());
    for (String path : paths) {
      InputFile input = io.newInputFile(path);
      files.add(DataFiles.builder(PartitionSpec.unpartitioned())
          .withInputFile(input)
          .withFormat(FileFormat.PARQUET)
          .withMetrics(footerMetrics(input, metrics))
          .build());
    }
    return files;
  }

  /**
   * What {@link ParquetUtil#fileMetrics} gives, reading the footer with a plain Parquet configuration: the
   * default one is a new Hadoop {@code Configuration} per file, which parses Hadoop's XML resources again.
   */
  static Metrics footerMetrics(InputFile input, MetricsConfig metrics) {
    try (ParquetFileReader reader = ParquetFileReader.open(new ParquetInput(input), ParquetInput.options().build())) {
      return ParquetUtil.footerMetrics(reader.getFooter(), Stream.empty(), metrics);
    } catch (IOException e) {
      throw new RuntimeIOException(e, "cannot read the footer of %s", input.location());
    }
  }

  private static void lineage(SnapshotUpdate<?> update, RecomputePlan plan, Map<String, String> summary) {
    lineage(plan, summary).forEach(update::set);
  }

  /** The snapshot summary of a recompute's commit: {@code summary} (nulls left out) and the plan's lineage. */
  public static Map<String, String> lineage(RecomputePlan plan, Map<String, String> summary) {
    Map<String, String> lineage = new java.util.LinkedHashMap<>();
    summary.forEach((key, value) -> {
      if (value != null) {
        lineage.put(key, value);
      }
    });
    lineage.put(FeatureLineage.OPERATION, FeatureLineage.OPERATION_RECOMPUTE);
    lineage.put(FeatureLineage.SOURCE_TABLE, plan.sourceTable());
    lineage.put(FeatureLineage.SOURCE_SNAPSHOT, Long.toString(plan.sourceSnapshotId()));
    lineage.put(FeatureLineage.PIPELINE, plan.pipeline());
    lineage.put(FeatureLineage.PIPELINE_VERSION, plan.pipelineVersion());
    lineage.put(FeatureLineage.PIPELINE_HASH, plan.pipelineHash());
    lineage.put(FeatureLineage.RUN_ID, plan.runId());
    return lineage;
  }

  private static void requireSchema(Schema actual, Schema planned, String table) {
    if (!actual.asStruct().equals(planned.asStruct())) {
      throw new ConcurrentChangeException("the schema of feature table " + table + " changed while the recompute"
          + " ran (planned " + planned.asStruct() + ", now " + actual.asStruct() + "); its data files were written"
          + " for the planned schema, so nothing was committed: run recompute-features again", null);
    }
  }

  private static void createNamespace(Catalog catalog, Namespace namespace) {
    if (catalog instanceof SupportsNamespaces namespaces && !namespace.isEmpty()
        && !namespaces.namespaceExists(namespace)) {
      try {
        namespaces.createNamespace(namespace);
      } catch (AlreadyExistsException createdMeanwhile) {
        // fine: it exists
      }
    }
  }

  private static long rows(Snapshot snapshot) {
    String added = snapshot.summary().get("added-records");
    return added == null ? 0 : Long.parseLong(added);
  }

  private static long sum(List<DataFile> files) {
    return files.stream().mapToLong(DataFile::recordCount).sum();
  }
}
