package org.rollbackjobs.iceberg.features.value;

import java.util.Arrays;
import java.util.Objects;

/**
 * Numbers distinct values 0, 1, 2, ... in order of first appearance (null allowed), with an open-addressing
 * table of ints: one probe sequence over primitive arrays per lookup instead of a HashMap's node chase, so
 * that per-key states can live in arrays indexed by the id. The first instance of each value is kept.
 */
public final class ValueIds {
  private static final int MIN_TABLE = 16;

  private Object[] values;
  /** Per cell: the value's hash in the high half, its id + 1 in the low half; 0 when the cell is empty. */
  private long[] table;
  private int size;

  public ValueIds() {
    clear();
  }

  /** The id of {@code value}, numbering it with the next id if it is new. */
  public int idOf(Object value) {
    int hash = spread(value == null ? 0 : value.hashCode());
    int mask = table.length - 1;
    for (int cell = hash & mask; ; cell = (cell + 1) & mask) {
      long entry = table[cell];
      if (entry == 0) {
        return add(value, hash, cell);
      }
      // the hash in the cell spares a visit to the value for all but equal hashes
      if ((int) (entry >>> 32) == hash) {
        int id = (int) entry - 1;
        if (Objects.equals(values[id], value)) {
          return id;
        }
      }
    }
  }

  public int size() {
    return size;
  }

  public Object value(int id) {
    return values[id];
  }

  /** Heap of the arrays (not of the values they hold). */
  public long bytes() {
    return 32L + values.length * 8L + table.length * 8L;
  }

  /** Forgets every value and gives the memory back. */
  public void clear() {
    values = new Object[MIN_TABLE / 2];
    table = new long[MIN_TABLE];
    size = 0;
  }

  private int add(Object value, int hash, int cell) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size] = value;
    table[cell] = ((long) hash << 32) | ++size;
    if (size * 2 > table.length) { // at most half full: short probe sequences
      rehash(table.length * 2);
    }
    return size - 1;
  }

  private void rehash(int length) {
    long[] old = table;
    table = new long[length];
    int mask = length - 1;
    for (long entry : old) {
      if (entry != 0) {
        int cell = (int) (entry >>> 32) & mask;
        while (table[cell] != 0) {
          cell = (cell + 1) & mask;
        }
        table[cell] = entry;
      }
    }
  }

  /** String hashes of similar ids differ in few bits: mix them before masking. */
  static int spread(int h) {
    h *= 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
