package org.rollbackjobs.iceberg.features.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.DeleteFilter;
import org.apache.iceberg.data.GenericDeleteFilter;
import org.apache.iceberg.data.IdentityPartitionConverters;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.util.PartitionUtil;

/**
 * Reads the rows of one file scan task with Iceberg's generic Parquet reader, streaming, with the task's delete
 * files applied (as Iceberg's own generic scan does), projected on the pipeline's input columns, which come
 * first in every record.
 */
public final class SourceReader {
  private SourceReader() {}

  /**
   * The task's rows projected on {@code projection}, read column by column where {@link ColumnarSourceReader}
   * covers the task and with {@link #open} otherwise: the same values either way. The row object may be reused.
   */
  public static CloseableIterable<? extends StructLike> openRows(Table table, FileScanTask task, Schema projection) {
    try {
      CloseableIterable<StructLike> columnar = ColumnarSourceReader.open(table, task, projection);
      return columnar != null ? columnar : open(table, task, projection);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + task.file().location(), e);
    }
  }

  /** The task's rows as column batches where {@link ColumnarSourceReader} covers the task, else null. */
  static ColumnBatches openBatches(Table table, FileScanTask task, Schema projection) {
    try {
      return ColumnarSourceReader.openBatches(table, task, projection);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + task.file().location(), e);
    }
  }

  public static CloseableIterable<Record> open(Table table, FileScanTask task, Schema projection) {
    if (task.file().format() != FileFormat.PARQUET) {
      throw new UnsupportedOperationException("cannot read " + task.file().format() + " data file "
          + task.file().location() + ": feature recompute reads Parquet tables");
    }
    DeleteFilter<Record> deletes = new GenericDeleteFilter(table.io(), task, table.schema(), projection);
    Schema readSchema = deletes.requiredSchema();
    Map<Integer, ?> constants = PartitionUtil.constantsMap(task, IdentityPartitionConverters::convertConstant);
    CloseableIterable<Record> records = Parquet.read(table.io().newInputFile(task.file().location()))
        .project(readSchema)
        .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(readSchema, fileSchema, constants))
        .split(task.start(), task.length())
        .reuseContainers()
        .build();
    return deletes.filter(records);
  }
}
