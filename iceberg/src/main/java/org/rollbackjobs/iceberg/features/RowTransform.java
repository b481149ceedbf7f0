package org.rollbackjobs.iceberg.features;

import org.apache.iceberg.StructLike;

/**
 * The row-wise part of a pipeline, used by one worker thread at a time.
 *
 * <p>{@code input} holds the pipeline's {@link FeaturePipeline#inputColumns() input columns} in declared order,
 * as Iceberg's generic values (String, Long, Integer, Double, OffsetDateTime for timestamptz, ...). The transform
 * fills {@code output} (one slot per output column): for a row-wise pipeline the output row; for a per-key
 * pipeline the key values in the key slots and, in each aggregate's slot, the value fed to that aggregate
 * ({@code null} and {@link #SKIP} feed nothing). Returning false drops the row.
 *
 * <p>The engine may reuse {@code input} for the next row: copy what must be kept.
 */
@FunctionalInterface
public interface RowTransform {
  /** Put in an aggregate's slot to leave this row out of that aggregate only (for example outside its window). */
  Object SKIP = new Object() {
    @Override
    public String toString() {
      return "SKIP";
    }
  };

  boolean apply(StructLike input, Object[] output);
}
