package org.rollbackjobs.iceberg.features.engine;

import java.util.Arrays;
import java.util.Objects;

/**
 * A map partition's group keys and their aggregate states in one open-addressing table of longs. Finding a
 * key is the costliest step per row when there are many keys, each pointer followed being a likely cache miss;
 * here a row touches one cell, which holds the key and the states side by side. Short strings (up to 15
 * Latin-1 characters: ids, codes) and integers are packed into the cell's first two longs and compared there;
 * other keys keep their hash there and are compared with equals. Each key also gets a slot number 0, 1, 2, ...
 * in order of first appearance, which stays the same when the table grows.
 *
 * <p>A cell: packed key (two longs), slot + 1 (0 when the cell is empty), then the states.
 */
final class StateTable {
  static final int HEADER = 3;
  private static final int MAX_PACKED_CHARS = 15;
  /** Second long of a packed key that is not a string: its top byte is above any packed string's length. */
  private static final long LONG_TAG = 0xFFL << 56 | 1;
  private static final long INT_TAG = 0xFFL << 56 | 2;
  private static final long HASHED_TAG = 0xFFL << 56 | 3;
  private static final int MIN_CELLS = 64;

  private final int width;
  private long[] cells;
  private int shift;
  private Object[] keys;
  private int size;
  /** The key being looked up, packed by {@link #pack}; exact when equal packs mean equal keys. */
  private long first;
  private long second;
  private boolean exact;
  /** The keys of the last {@link #prefetch}, packed. */
  private long[] packedFirst = new long[0];
  private long[] packedSecond = new long[0];
  private boolean[] packedExact = new boolean[0];
  /** Where {@link #prefetch} puts what it loads, so that the loads are not optimised away. */
  private long touched;

  /** @param states longs of states per key */
  StateTable(int states) {
    this.width = HEADER + states;
    clear();
  }

  /** Where the states of {@code key} (null allowed) start in {@link #cells()}, adding the key with zero states if new. */
  int statesOf(Object key) {
    pack(key);
    return lookUp(key);
  }

  private int lookUp(Object key) {
    long a = first;
    long b = second;
    int mask = cellCount() - 1;
    for (int cell = cellOf(a, b, shift); ; cell = (cell + 1) & mask) {
      int at = cell * width;
      long entry = cells[at + 2];
      if (entry == 0) {
        return insert(key, at);
      }
      if (cells[at] == a && cells[at + 1] == b && (exact || Objects.equals(keys[(int) entry - 1], key))) {
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
    if (packedFirst.length < count) {
      packedFirst = new long[count];
      packedSecond = new long[count];
      packedExact = new boolean[count];
    }
    for (int i = 0; i < count; i++) {
      pack(keys[i]);
      packedFirst[i] = first;
      packedSecond[i] = second;
      packedExact[i] = exact;
    }
    long[] table = cells;
    int bits = shift;
    long sum = 0;
    for (int i = 0; i < count; i++) { // a cell may span two or three cache lines: touch its first and last long
      int at = cellOf(packedFirst[i], packedSecond[i], bits) * width;
      sum += table[at] + table[at + width - 1];
    }
    touched += sum;
  }

  /** {@link #statesOf} for {@code keys[i]} of the last {@link #prefetch}. */
  int statesOfPrefetched(Object key, int i) {
    first = packedFirst[i];
    second = packedSecond[i];
    exact = packedExact[i];
    return lookUp(key);
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

  private int insert(Object key, int at) {
    if (size == keys.length) {
      keys = Arrays.copyOf(keys, size * 2);
    }
    keys[size++] = key;
    cells[at] = first;
    cells[at + 1] = second;
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

  private void pack(Object key) {
    exact = true;
    if (key instanceof String s && s.length() <= MAX_PACKED_CHARS && packLatin1(s)) {
      return;
    } else if (key instanceof Long l) {
      first = l;
      second = LONG_TAG;
      return;
    } else if (key instanceof Integer i) {
      first = i;
      second = INT_TAG;
      return;
    }
    exact = false;
    first = key == null ? 0 : key.hashCode();
    second = HASHED_TAG;
  }

  private boolean packLatin1(String s) {
    int length = s.length();
    long a = 0;
    long b = (long) length << 56;
    for (int i = 0; i < length; i++) {
      long c = s.charAt(i);
      if (c > 0xFF) {
        return false;
      }
      if (i < 8) {
        a |= c << (i * 8);
      } else {
        b |= c << ((i - 8) * 8);
      }
    }
    first = a;
    second = b;
    return true;
  }

  /** Mixes both longs; the cell is the top bits (Fibonacci hashing). */
  private static int cellOf(long a, long b, int shift) {
    long h = (a * 0x9E3779B97F4A7C15L) ^ (b * 0xC2B2AE3D27D4EB4FL);
    h ^= h >>> 29;
    return (int) ((h * 0x9E3779B97F4A7C15L) >>> shift);
  }
}
