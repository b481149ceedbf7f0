package org.rollbackjobs.iceberg.features;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.PropertyUtil;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.features.engine.FeatureTables;
import org.rollbackjobs.iceberg.features.engine.SourceSplits;
import org.rollbackjobs.iceberg.snapshot.SnapshotResolver;
import org.rollbackjobs.iceberg.snapshot.SnapshotTarget;

/**
 * Validates a recompute and plans it, changing nothing: the source table and snapshot exist, the snapshot has
 * every column the pipeline reads with a usable type, the feature table can take the pipeline's output; then
 * the feature table's schema, the scan and its split into partitions and buckets.
 */
final class RecomputePlanner {
  private RecomputePlanner() {}

  static RecomputePlan plan(Catalog catalog, FeaturePipeline pipeline, String sourceName, Long snapshotId,
      String targetName, String targetBranch, String runId, int threads) {
    checkShape(pipeline);
    TableIdentifier sourceId = TableName.parse(sourceName);
    TableIdentifier targetId = TableName.parse(targetName);
    if (sourceId.equals(targetId)) {
      throw new BadInputException("the feature table must not be the source table (" + sourceId + ")");
    }
    Table source = CatalogLoader.loadTable(catalog, sourceName);
    Snapshot snapshot = pinnedSnapshot(source, snapshotId);
    Schema snapshotSchema = snapshot.schemaId() == null ? source.schema() : source.schemas().get(snapshot.schemaId());
    Schema projection = projection(pipeline, source, snapshot, snapshotSchema);

    FeatureTables.Planned target = FeatureTables.plan(catalog, targetId, pipeline.outputSchema(), targetBranch);
    String normalisedSource = sourceId.toString();
    boolean upToDate = target.exists() && target.changes().isEmpty()
        && lineageMatches(target.currentSummary(), normalisedSource, snapshot.snapshotId(), pipeline);

    long splitSize = PropertyUtil.propertyAsLong(source.properties(), TableProperties.SPLIT_SIZE,
        TableProperties.SPLIT_SIZE_DEFAULT);
    List<FileScanTask> splits = SourceSplits.plan(source, snapshot.snapshotId(), projection, splitSize);
    Set<String> files = new HashSet<>();
    Set<String> deletes = new HashSet<>();
    long rows = 0;
    for (FileScanTask task : splits) {
      if (files.add(task.file().location())) {
        rows += task.file().recordCount();
      }
      task.deletes().stream().map(DeleteFile::location).forEach(deletes::add);
    }
    int partitions = SourceSplits.partitions(splits.size(), rows, threads);
    // at most one output row per source row: a bucket per million source rows, up to one per thread. Each bucket
    // is a reduce partition with a Parquet writer and files of its own; with more buckets than threads, a second
    // wave of buckets sets up writers and writes small files again (in a fresh JVM, 100,000 keys in four buckets on
    // two threads took 0.2 to 0.3 s more CPU than in two), while hashing already spreads the keys evenly
    int buckets = pipeline.isKeyed() ? (int) Math.max(1, Math.min(threads, (rows + 999_999) / 1_000_000)) : 0;
    return new RecomputePlan(runId, normalisedSource, snapshot.snapshotId(), snapshot.timestampMillis(),
        SchemaParser.toJson(projection), pipeline.name(), pipeline.version(), pipeline.definitionHash(),
        pipeline.origin(), pipeline.isKeyed(), targetId.toString(), target.exists(), target.currentSnapshotId(),
        target.location(), SchemaParser.toJson(target.schema()), Map.copyOf(target.properties()), target.changes(),
        upToDate, files.size(), splits.size(), rows, deletes.size(), splitSize, partitions, buckets, targetBranch);
  }

  /**
   * A pipeline's declarations must agree with each other: keys are the first output columns, in order; a
   * per-key pipeline has one aggregate per other output column, of that column's type; a row-wise one has none.
   */
  static void checkShape(FeaturePipeline pipeline) {
    List<Types.NestedField> output = pipeline.outputSchema().columns();
    List<String> keys = pipeline.keyColumns();
    String which = "pipeline " + pipeline.name() + " version " + pipeline.version() + " (" + pipeline.origin() + ")";
    for (int i = 0; i < keys.size(); i++) {
      if (i >= output.size() || !output.get(i).name().equals(keys.get(i))) {
        throw new BadInputException(which + " is inconsistent: its key columns " + keys
            + " must be the first output columns, in that order; output columns: " + names(output));
      }
    }
    int aggregated = output.size() - keys.size();
    if (!pipeline.isKeyed() && !pipeline.aggregates().isEmpty()) {
      throw new BadInputException(which + " is inconsistent: aggregates need key columns");
    }
    if (pipeline.isKeyed() && pipeline.aggregates().size() != aggregated) {
      throw new BadInputException(which + " is inconsistent: " + aggregated + " non-key output columns but "
          + pipeline.aggregates().size() + " aggregates");
    }
    for (int i = 0; pipeline.isKeyed() && i < aggregated; i++) {
      Types.NestedField column = output.get(keys.size() + i);
      if (!pipeline.aggregates().get(i).resultType().equals(column.type())) {
        throw new BadInputException(which + " is inconsistent: output column " + column.name() + " is "
            + column.type() + " but its aggregate " + pipeline.aggregates().get(i).describe() + " gives "
            + pipeline.aggregates().get(i).resultType());
      }
    }
  }

  private static String names(List<Types.NestedField> columns) {
    return columns.stream().map(Types.NestedField::name).collect(Collectors.joining(", "));
  }

  private static Snapshot pinnedSnapshot(Table source, Long snapshotId) {
    if (snapshotId != null) {
      return SnapshotResolver.resolve(source, SnapshotTarget.id(snapshotId));
    }
    Snapshot current = source.currentSnapshot();
    if (current == null) {
      throw new BadInputException("source table " + source.name() + " has no snapshot yet: nothing to compute from");
    }
    return current;
  }

  /**
   * The source columns the pipeline reads, in its input order, as the snapshot has them; a missing column or
   * an unusable type is bad input naming the column and the snapshot.
   */
  static Schema projection(FeaturePipeline pipeline, Table source, Snapshot snapshot, Schema snapshotSchema) {
    List<Types.NestedField> read = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Types.NestedField input : pipeline.inputColumns()) {
      Types.NestedField column = snapshotSchema.findField(input.name());
      if (column == null || snapshotSchema.findColumnName(column.fieldId()).contains(".")) {
        problems.add("needs column '" + input.name() + "' (" + input.type() + "), which snapshot "
            + snapshot.snapshotId() + " of " + source.name() + " does not have");
      } else if (!usable(column.type(), input.type())) {
        problems.add("needs column '" + input.name() + "' as " + input.type() + ", but in snapshot "
            + snapshot.snapshotId() + " of " + source.name() + " it is " + column.type());
      } else {
        read.add(column);
      }
    }
    if (!problems.isEmpty()) {
      throw new BadInputException("pipeline " + pipeline.name() + " version " + pipeline.version() + " "
          + String.join("; ", problems) + ". Columns of snapshot " + snapshot.snapshotId() + ": "
          + snapshotSchema.columns().stream().map(c -> c.name() + " " + c.type()).collect(Collectors.joining(", ")));
    }
    return new Schema(read);
  }

  private static boolean usable(Type actual, Type expected) {
    return actual.equals(expected)
        || (actual.typeId() == Type.TypeID.INTEGER && expected.typeId() == Type.TypeID.LONG)
        || (actual.typeId() == Type.TypeID.FLOAT && expected.typeId() == Type.TypeID.DOUBLE);
  }

  private static boolean lineageMatches(Map<String, String> summary, String source, long snapshotId,
      FeaturePipeline pipeline) {
    return Objects.equals(summary.get(FeatureLineage.SOURCE_TABLE), source)
        && Objects.equals(summary.get(FeatureLineage.SOURCE_SNAPSHOT), Long.toString(snapshotId))
        && Objects.equals(summary.get(FeatureLineage.PIPELINE), pipeline.name())
        && Objects.equals(summary.get(FeatureLineage.PIPELINE_VERSION), pipeline.version())
        && Objects.equals(summary.get(FeatureLineage.PIPELINE_HASH), pipeline.definitionHash());
  }
}
