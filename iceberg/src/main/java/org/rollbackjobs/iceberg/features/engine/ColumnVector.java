package org.rollbackjobs.iceberg.features.engine;

/**
 * One column of a batch ({@link ColumnBatches}). {@link #nulls()} says which rows are null; the values are in
 * one primitive array where the column has one ({@link #doubles()} for double columns, {@link #longs()} for
 * long and int columns that are not dates or timestamps), and as the generic reader's objects in {@link #objects}.
 */
interface ColumnVector {
  boolean[] nulls();

  /** The values of a double column, else null. */
  default double[] doubles() {
    return null;
  }

  /** The values of a plain long or int column (int values widened), else null. */
  default long[] longs() {
    return null;
  }

  /**
   * The rows as group keys packed for {@link StateTable}, from the next batch on, or null when the column does not
   * pack them itself (then key objects are packed by the table).
   */
  default PackedKeys packedKeys() {
    return null;
  }

  /**
   * Each row's id in {@link #dictionary()} when every value of the batch came from dictionary pages, else null:
   * then a row's value is {@code dictionary()[id]} (rows that are null have no id).
   */
  default int[] dictionaryIds() {
    return null;
  }

  /**
   * The values of the current row group's dictionary by id, the same objects {@link #objects} gives; a new array
   * for each dictionary.
   */
  default Object[] dictionary() {
    return null;
  }

  /** The first {@code count} rows as Iceberg's generic values (null for null), made at most once per batch. */
  Object[] objects(int count);
}
