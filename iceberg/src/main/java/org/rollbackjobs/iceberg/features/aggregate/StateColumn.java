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

  /*
   * Batches: rows [from, to) of a column batch, row r fed to the state at records[states[r] + base] of slot
   * slots[r], in row order and exactly as add would be (the same state, bit for bit); null rows feed nothing.
   * Each returns the heap bytes the column grew by. The defaults box and call add; the built-in columns loop
   * over the primitive values.
   */

  default long addDoubles(long[] records, int[] states, int base, int[] slots, double[] values, boolean[] nulls,
      int from, int to) {
    long grown = 0;
    for (int r = from; r < to; r++) {
      if (!nulls[r]) {
        grown += add(records, states[r] + base, slots[r], values[r]);
      }
    }
    return grown;
  }

  default long addLongs(long[] records, int[] states, int base, int[] slots, long[] values, boolean[] nulls,
      int from, int to) {
    long grown = 0;
    for (int r = from; r < to; r++) {
      if (!nulls[r]) {
        grown += add(records, states[r] + base, slots[r], values[r]);
      }
    }
    return grown;
  }

  /** Rows whose value is null feed nothing. */
  default long addObjects(long[] records, int[] states, int base, int[] slots, Object[] values, int from, int to) {
    long grown = 0;
    for (int r = from; r < to; r++) {
      if (values[r] != null) {
        grown += add(records, states[r] + base, slots[r], values[r]);
      }
    }
    return grown;
  }

  /**
   * Rows whose values are {@code dictionary[ids[r]]} (one dictionary of a column chunk: the same objects for the
   * same id, a new array for another dictionary).
   */
  default long addDictionaryIds(long[] records, int[] states, int base, int[] slots, int[] ids, boolean[] nulls,
      Object[] dictionary, int from, int to) {
    long grown = 0;
    for (int r = from; r < to; r++) {
      if (!nulls[r]) {
        grown += add(records, states[r] + base, slots[r], dictionary[ids[r]]);
      }
    }
    return grown;
  }

  /** Feeds {@link Aggregates#ROW} for every row, as count(*) is fed. */
  default long addRows(long[] records, int[] states, int base, int[] slots, int from, int to) {
    long grown = 0;
    for (int r = from; r < to; r++) {
      grown += add(records, states[r] + base, slots[r], Aggregates.ROW);
    }
    return grown;
  }

  /** Forgets what the column keeps beside the records (the records are dropped by the caller). */
  default void clear() {}
}
