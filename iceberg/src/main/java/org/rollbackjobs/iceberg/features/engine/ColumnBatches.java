package org.rollbackjobs.iceberg.features.engine;

import java.io.Closeable;

/**
 * The rows of one file scan task as batches of columns: {@link #nextBatch()} reads up to {@link #CAPACITY} rows
 * (never across a row group) into every column's arrays, where row {@code i} of the batch is at index {@code i}.
 */
interface ColumnBatches extends Closeable {
  /** Rows a batch holds at most: its arrays and the table cells they touch stay in the first cache levels. */
  int CAPACITY = 256;

  /** Reads the next batch; returns its row count, 0 at the end. */
  int nextBatch();

  /** The projected column at {@code position}, holding the current batch. */
  ColumnVector column(int position);
}
