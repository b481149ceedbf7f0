package org.rollbackjobs.iceberg.features;

import java.util.List;
import java.util.function.Supplier;

/**
 * A per-key pipeline that the engine may feed from column batches instead of through its {@link RowTransform}:
 * every key is an input column as read, and every aggregate is fed either each row (count of rows), an input
 * column as read, or a value computed from the row's inputs. The engine then looks keys up and feeds each
 * aggregate a batch at a time, numbers unboxed, with the same states as the row-wise transform gives. A
 * definition with a filter, derived columns or windows answers null and keeps the row-wise path.
 */
public interface ColumnarPipeline extends FeaturePipeline {

  /** How to feed this pipeline from column batches, or null when its definition needs the row-wise transform. */
  Columnar columnar(PipelineContext context);

  /**
   * @param keyInputs the input column of each key column, in key order
   * @param feeds what each aggregate is fed, in {@link #aggregates()} order
   */
  record Columnar(int[] keyInputs, List<Feed> feeds) {}

  /** What one aggregate is fed. */
  sealed interface Feed permits EveryRow, InputColumn, Computed {}

  /** Every row, as {@code count(*)} is fed. */
  record EveryRow() implements Feed {}

  /** An input column's value as read (null feeds nothing). */
  record InputColumn(int position) implements Feed {}

  /**
   * A value computed per row: the engine puts the row's values of the {@code reads} input columns into
   * {@code inputs} (input {@code i} at index {@code i}), then calls {@code value} (null feeds nothing). One per
   * worker thread. {@code doubles}, when not null, gives the same double as {@code value} without boxing for a
   * row whose {@code reads} are all non-null doubles.
   */
  record Computed(Object[] inputs, int[] reads, Supplier<Object> value, DoubleFormula doubles) implements Feed {}

  /** A double computed from a batch's double columns (input {@code i} at index {@code i}) for one row. */
  @FunctionalInterface
  interface DoubleFormula {
    double eval(double[][] columns, int row);
  }
}
