package org.rollbackjobs.iceberg.features.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;
import org.rollbackjobs.iceberg.features.ColumnarPipeline;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.ProgressListener;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.iceberg.features.RowTransform;
import org.rollbackjobs.iceberg.features.aggregate.Aggregate;

/**
 * The map side of a recompute, for one partition of the source's file scan tasks: streams the rows through the
 * pipeline's transform, then either writes output rows (row-wise pipeline) or folds them into partial
 * aggregates spilled as sorted runs per reduce bucket (per-key pipeline). A {@link ColumnarPipeline} is fed column
 * batches instead, without its row-wise transform, where the columnar reader covers a task ({@link BatchFolder}).
 * Memory is bounded by the reader's row group, the aggregation budget and one Parquet row group per open output
 * file.
 */
public final class MapTask {
  private static final int PROGRESS_EVERY = 16_384;
  private static final int BATCH = 64;
  /**
   * Set to false to fold every row through the pipeline's row-wise transform, as pipelines that cannot take column
   * batches are: the same states either way (for comparisons and as an escape hatch).
   */
  static final String COLUMN_BATCHES = "rollback.features.column-batches";

  private MapTask() {}

  /**
   * @param runDirectory where the spill runs are (per-key pipelines)
   * @param spills how many spill rounds wrote runs (each wrote at most one run per bucket)
   * @param dataFiles the data files written (row-wise pipelines)
   */
  public record Result(long rowsRead, long rowsKept, String runDirectory, int spills, List<String> dataFiles) {}

  public static Result run(Table source, FeaturePipeline pipeline, RecomputePlan plan, List<FileScanTask> tasks,
      Path runDirectory, long memoryBudget, OutputFiles output, String filePrefix, ProgressListener progress) {
    Schema projection = plan.projection();
    UnaryOperator<StructLike> widen = InputWidening.of(projection, pipeline.inputColumns());
    RowTransform transform = pipeline.newTransform(plan.context());
    int width = pipeline.outputSchema().columns().size();
    // per-key rows are folded a batch at a time (see PartialAggregator.addAll); a source whose values may be
    // containers the reader reuses (binary) is folded row by row, before the next row overwrites them
    Object[][] batch = new Object[pipeline.isKeyed() && immutableValues(projection) ? BATCH : 1][width];
    int batched = 0;
    PartialAggregator aggregator = null;
    BatchFolder folder = null;
    FeatureWriter writer = null;
    if (pipeline.isKeyed()) {
      try {
        Files.createDirectories(runDirectory);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the spill folder " + runDirectory, e);
      }
      aggregator = new PartialAggregator(aggregatesOf(pipeline), pipeline.keyColumns().size(), plan.buckets(),
          memoryBudget, runDirectory);
      folder = InputWidening.widens(projection, pipeline.inputColumns()) ? null : batchFolder(pipeline, plan, aggregator);
    } else {
      writer = output.writer(filePrefix);
    }
    long read = 0;
    long kept = 0;
    long unreported = 0;
    try {
      for (FileScanTask task : tasks) {
        ColumnBatches batches = folder == null ? null : SourceReader.openBatches(source, task, projection);
        if (batches != null) {
          if (batched > 0) { // rows stay in order: those of the tasks before first
            aggregator.addAll(batch, batched);
            batched = 0;
          }
          long rows = foldBatches(folder, batches, task, progress);
          read += rows;
          kept += rows;
          continue;
        }
        try (CloseableIterable<? extends StructLike> records = SourceReader.openRows(source, task, projection)) {
          for (StructLike record : records) {
            read++;
            if (++unreported == PROGRESS_EVERY) {
              progress.rowsRead(unreported);
              unreported = 0;
            }
            Object[] row = batch[batched];
            Arrays.fill(row, null);
            if (transform.apply(widen.apply(record), row)) {
              kept++;
              if (aggregator == null) {
                writer.write(row);
              } else if (++batched == batch.length) {
                aggregator.addAll(batch, batched);
                batched = 0;
              }
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + task.file().location(), e);
        }
      }
      progress.rowsRead(unreported);
      if (aggregator != null) {
        aggregator.addAll(batch, batched);
        aggregator.finish();
        return new Result(read, kept, runDirectory.toString(), aggregator.spills(), List.of());
      }
      return new Result(read, kept, null, 0, writer.finish());
    } finally {
      if (writer != null) {
        writer.close();
      }
    }
  }

  /** Column batches for a pipeline that takes them, else null. */
  private static BatchFolder batchFolder(FeaturePipeline pipeline, RecomputePlan plan, PartialAggregator aggregator) {
    if (!(pipeline instanceof ColumnarPipeline columnar)
        || !Boolean.parseBoolean(System.getProperty(COLUMN_BATCHES, "true"))) {
      return null;
    }
    ColumnarPipeline.Columnar form = columnar.columnar(plan.context());
    return form == null ? null : new BatchFolder(form, aggregator);
  }

  /** Folds a task's column batches and reports their rows as progress; returns them. */
  private static long foldBatches(BatchFolder folder, ColumnBatches batches, FileScanTask task,
      ProgressListener progress) {
    long rows = 0;
    long unreported = 0;
    try (batches) {
      folder.bind(batches);
      for (int count = batches.nextBatch(); count > 0; count = batches.nextBatch()) {
        folder.fold(count);
        rows += count;
        unreported += count;
        if (unreported >= PROGRESS_EVERY) {
          progress.rowsRead(unreported);
          unreported = 0;
        }
      }
      progress.rowsRead(unreported);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + task.file().location(), e);
    }
    return rows;
  }

  private static boolean immutableValues(Schema projection) {
    return projection.columns().stream().allMatch(c -> c.type().isPrimitiveType()
        && c.type().typeId() != Type.TypeID.BINARY && c.type().typeId() != Type.TypeID.FIXED);
  }

  /** The runs one map partition wrote for {@code bucket}, in spill order. */
  public static List<Path> runsOf(Path runDirectory, int spills, int bucket) {
    List<Path> runs = new ArrayList<>();
    for (int spill = 0; spill < spills; spill++) {
      Path run = runDirectory.resolve(String.format("spill-%05d-bucket-%05d.run", spill, bucket));
      if (Files.exists(run)) {
        runs.add(run);
      }
    }
    return runs;
  }

  @SuppressWarnings("unchecked")
  static List<Aggregate<Object>> aggregatesOf(FeaturePipeline pipeline) {
    List<Aggregate<Object>> aggregates = new ArrayList<>();
    pipeline.aggregates().forEach(a -> aggregates.add((Aggregate<Object>) a));
    return aggregates;
  }

}
