package org.rollbackjobs.iceberg.features.engine;

import java.util.Arrays;
import java.util.Objects;

/**
 * A map partition's group keys and their aggregate states in one open-addressing table of longs. Finding a
 * key is the costliest step per row when there are many keys, each pointer followed being a likely cache miss;
 * here a row touches one cell, which holds the key and the states side by side. Short strings (up to 15
 * Latin-1 characters: ids, codes) and integers are packed into the cell's first two longs and compared there;
 * other keys keep their hash there and are compared with equals ({@link PackedKeys}, which a column may fill from
 * its bytes, the key object made only for a new key). Each key also gets a slot number 0, 1, 2, ...
 * in order of first appearance, which stays the same when the table grows.
 *
 * <p>A cell: packed key (two longs), slot + 1 (0 when the cell is empty), then the states.
 */
final class StateTable {
  static final int HEADER = 3;
  /** Stands for a key whose object the lookup makes only if it needs it ({@link PackedKeys#keyAt}). */
  private static final Object NOT_MADE = new Object();
  private static final int MIN_CELLS = 64;

  private final int width;
  private long[] cells;
  private int shift;
  private Object[] keys;
  private int size;
  /** The key of {@link #statesOf}, packed. */
  private final PackedKeys single = new PackedKeys(1);
  /** The keys of the last {@link #prefetch} of key objects, packed. */
  private PackedKeys batch = new PackedKeys(0);
  /** Where {@link #prefetch} puts what it loads, so that the loads are not optimised away. */
  private long touched;

  /** @param states longs of states per key */
  StateTable(int states) {
    this.width = HEADER + states;
    clear();
  }

  /** Where the states of {@code key} (null allowed) start in {@link #cells()}, adding the key with zero states if new. */
  int statesOf(Object key) {
    single.pack(0, key);
    return lookUp(single, 0, key);
  }

  /** @param key the key of row {@code i}, or {@link #NOT_MADE} to ask {@code packed} for it if needed */
  private int lookUp(PackedKeys packed, int i, Object key) {
    long a = packed.first[i];
    long b = packed.second[i];
    int mask = cellCount() - 1;
    for (int cell = cellOf(a, b, shift); ; cell = (cell + 1) & mask) {
      int at = cell * width;
      long entry = cells[at + 2];
      if (entry == 0) {
        return insert(key == NOT_MADE ? packed.keyAt(i) : key, at, a, b);
      }
      if (cells[at] == a && cells[at + 1] == b
          && (packed.exact[i] || Objects.equals(keys[(int) entry - 1], key == NOT_MADE ? packed.keyAt(i) : key))) {
        return at + HEADER;
      }
    }
  }

  /**
   * Loads the cells where the lookups of {@code keys[0..count)} start, so that they are in cache when
   * {@link #statesOfPrefetched} comes: touching the cells of a batch of keys in one short loop lets their cache
   * misses overlap, where looking each key up and updating its states in turn waits for every miss alone (most
   * of a row's cost when there are many keys). The keys are packed once, here.
   */
  void prefetch(Object[] keys, int count) {
    if (batch.capacity() < count) {
      batch = new PackedKeys(count);
    }
    for (int i = 0; i < count; i++) {
      batch.pack(i, keys[i]);
    }
    prefetch(batch, count);
  }

  /** {@link #prefetch(Object[], int)} for keys packed by their column. */
  void prefetch(PackedKeys keys, int count) {
    long[] table = cells;
    int bits = shift;
    long sum = 0;
    for (int i = 0; i < count; i++) { // a cell may span two or three cache lines: touch its first and last long
      int at = cellOf(keys.first[i], keys.second[i], bits) * width;
      sum += table[at] + table[at + width - 1];
    }
    touched += sum;
  }

  /** {@link #statesOf} for {@code keys[i]} of the last {@link #prefetch(Object[], int)}. */
  int statesOfPrefetched(Object key, int i) {
    return lookUp(batch, i, key);
  }

  /** {@link #statesOf} for row {@code i} of packed keys, whose key object is made only if the lookup needs it. */
  int statesOfPacked(PackedKeys keys, int i) {
    return lookUp(keys, i, NOT_MADE);
  }

  /** Whether adding one more key grows the table (to twice its cells). */
  boolean growsOnNextKey() {
    return (size + 1) * 3L > cellCount() * 2L;
  }

  /** The array {@link #statesOf} positions are in; a new one after the table grew. */
  long[] cells() {
    return cells;
  }

  int size() {
    return size;
  }

  Object key(int slot) {
    return keys[slot];
  }

  /** The slot of the key whose states start at {@code states}. */
  int slotAt(int states) {
    return (int) cells[states - 1] - 1;
  }

  /** Where each slot's states start. */
  int[] statesBySlot() {
    int[] positions = new int[size];
    for (int at = 0; at < cells.length; at += width) {
      if (cells[at + 2] != 0) {
        positions[(int) cells[at + 2] - 1] = at + HEADER;
      }
    }
    return positions;
  }

  /** Heap of the table and the key references (not of the key objects). */
  long bytes() {
    return 32L + cells.length * 8L + keys.length * 8L;
  }

  /** Heap of the table after it grows once more. */
  long bytesGrown() {
    return 32L + cells.length * 16L + keys.length * 8L;
  }

  void clear() {
    cells = new long[MIN_CELLS * width];
    shift = 64 - Integer.numberOfTrailingZeros(MIN_CELLS);
    keys = new Object[MIN_CELLS];
    size = 0;
  }

  private int cellCount() {
    return cells.length / width;
  }

  private int insert(Object key, int at, long packedFirst, long packedSecond) {
    if (size == keys.length) {
      keys = Arrays.copyOf(keys, size * 2);
    }
    keys[size++] = key;
    cells[at] = packedFirst;
    cells[at + 1] = packedSecond;
    cells[at + 2] = size;
    if (size * 3L > cellCount() * 2L) { // at most two thirds full: short probe sequences
      return grow(at);
    }
    return at + HEADER;
  }

  /** Doubles the table; returns where the states of the cell at {@code at} went. */
  private int grow(int at) {
    long[] old = cells;
    int moved = (int) old[at + 2];
    int count = cellCount() * 2;
    cells = new long[count * width];
    shift = 64 - Integer.numberOfTrailingZeros(count);
    int mask = count - 1;
    int result = -1;
    for (int from = 0; from < old.length; from += width) {
      if (old[from + 2] != 0) {
        int cell = cellOf(old[from], old[from + 1], shift);
        while (cells[cell * width + 2] != 0) {
          cell = (cell + 1) & mask;
        }
        System.arraycopy(old, from, cells, cell * width, width);
        if (old[from + 2] == moved) {
          result = cell * width + HEADER;
        }
      }
    }
    return result;
  }

  /** Mixes both longs; the cell is the top bits (Fibonacci hashing). */
  private static int cellOf(long a, long b, int shift) {
    long h = (a * 0x9E3779B97F4A7C15L) ^ (b * 0xC2B2AE3D27D4EB4FL);
    h ^= h >>> 29;
    return (int) ((h * 0x9E3779B97F4A7C15L) >>> shift);
  }
}
