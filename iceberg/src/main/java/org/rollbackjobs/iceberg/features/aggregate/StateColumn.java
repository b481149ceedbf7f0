package org.rollbackjobs.iceberg.features.aggregate;

import java.io.DataOutput;
import java.io.IOException;

/**
 * The partial states of one aggregate for many keys, laid out for the map side's hot loop: each key is a slot
 * 0, 1, 2, ... with one record of longs holding every aggregate's state side by side (a row touches one or two
 * cache lines, not an object per aggregate). A column owns {@link #width()} longs of each record, starting at
 * {@code base}; all zeros is the state {@link Aggregate#create()} gives. A slot is written in the bytes
 * {@link Aggregate#write} gives for the same state, so that the reduce side reads and merges it with
 * {@link Aggregate#read} and {@link Aggregate#merge}.
 */
public interface StateColumn {

  /** Longs of each record this column uses (0 for a column that keeps its states elsewhere). */
  int width();

  /** Heap bytes per slot the column keeps beside the records. */
  default int bytesPerSlot() {
    return 0;
  }

  /** Feeds a non-null value to a slot's state; returns the heap bytes the column grew by beyond the records. */
  long add(long[] records, int base, int slot, Object value);

  void write(long[] records, int base, int slot, DataOutput out) throws IOException;

  /** Forgets what the column keeps beside the records (the records are dropped by the caller). */
  default void clear() {}
}
