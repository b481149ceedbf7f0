package org.rollbackjobs.iceberg.features.aggregate;

import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import org.rollbackjobs.iceberg.features.value.SpillOutput;
import org.rollbackjobs.iceberg.features.value.ValueCodec;
import org.rollbackjobs.iceberg.features.value.ValueIds;

/**
 * {@link DistinctCount}'s state without a set per key: every distinct value gets an id in a dictionary shared
 * by all slots (a million customers buying "grocery" hold one string). In the record: a bit per id for the
 * first 64 ids (categories, countries, ...: one bit set per row), then the number of distinct values. A slot's
 * further ids are (slot, id) pairs in one open-addressing table of longs beside the records.
 */
final class DistinctCountColumn implements StateColumn {
  private static final long EMPTY = -1L; // no pair is -1: slots and ids are not negative
  private static final int MIN_CELLS = 64;

  private final ValueIds dictionary = new ValueIds();
  private long[] pairs;
  private int shift;
  private int pairCount;
  /** The pairs in order (by slot, then id), for writing; null when a pair was added since. */
  private long[] sorted;
  /** Each id's value as written, encoded once (a value is written for every key that saw it). */
  private byte[][] encoded = new byte[0][];
  /** The column chunk dictionary of the last {@link #addDictionaryIds}, and the id here of each of its ids (or -1). */
  private Object[] chunkDictionary;
  private int[] idsOfChunkIds;
  /** The run last written to by id, and the ids whose values it has (see {@link #writeById}). */
  private SpillOutput lastRun;
  private long inLastRun;

  DistinctCountColumn() {
    clear();
  }

  @Override
  public int width() {
    return 2;
  }

  @Override
  public long add(long[] records, int base, int slot, Object value) {
    int known = dictionary.size();
    long dictionaryBytes = dictionary.bytes();
    int id = dictionary.idOf(value);
    long grown = dictionary.size() == known ? 0
        : ValueCodec.estimatedBytes(value) + dictionary.bytes() - dictionaryBytes;
    return grown + addId(records, base, slot, id);
  }

  /** Values of a column chunk's dictionary: each chunk id looked up in this column's dictionary once. */
  @Override
  public long addDictionaryIds(long[] records, int[] states, int base, int[] slots, int[] ids, boolean[] nulls,
      Object[] values, int from, int to) {
    if (values != chunkDictionary) {
      chunkDictionary = values;
      idsOfChunkIds = new int[values.length];
      Arrays.fill(idsOfChunkIds, -1);
    }
    long grown = 0;
    for (int r = from; r < to; r++) {
      if (!nulls[r]) {
        int chunkId = ids[r];
        int id = idsOfChunkIds[chunkId];
        if (id < 0) {
          Object value = values[chunkId];
          int known = dictionary.size();
          long dictionaryBytes = dictionary.bytes();
          id = dictionary.idOf(value);
          if (dictionary.size() != known) {
            grown += ValueCodec.estimatedBytes(value) + dictionary.bytes() - dictionaryBytes;
          }
          idsOfChunkIds[chunkId] = id;
        }
        grown += addId(records, states[r] + base, slots[r], id);
      }
    }
    return grown;
  }

  private long addId(long[] records, int base, int slot, int id) {
    long grown = 0;
    if (id < 64) {
      long bit = 1L << id;
      if ((records[base] & bit) == 0) {
        records[base] |= bit;
        records[base + 1]++;
      }
      return grown;
    }
    long pair = ((long) slot << 32) | id;
    int mask = pairs.length - 1;
    for (int cell = cellOf(pair); ; cell = (cell + 1) & mask) {
      long there = pairs[cell];
      if (there == pair) {
        return grown;
      }
      if (there == EMPTY) {
        pairs[cell] = pair;
        records[base + 1]++;
        sorted = null;
        if (++pairCount * 2 > pairs.length) {
          grown += pairs.length * 8L;
          rehash(pairs.length * 2);
        }
        return grown;
      }
    }
  }

  @Override
  public void write(long[] records, int base, int slot, DataOutput out) throws IOException {
    if (pairCount == 0 && out instanceof SpillOutput run) {
      writeById(records[base], run);
      return;
    }
    out.writeInt((int) records[base + 1]);
    for (long rest = records[base]; rest != 0; rest &= rest - 1) {
      out.write(encoded(Long.numberOfTrailingZeros(rest)));
    }
    if (pairCount > 0) {
      if (sorted == null) {
        sorted = Arrays.stream(pairs).filter(p -> p != EMPTY).sorted().toArray();
      }
      int from = Arrays.binarySearch(sorted, (long) slot << 32);
      for (int i = from < 0 ? -from - 1 : from; i < sorted.length && (int) (sorted[i] >>> 32) == slot; i++) {
        out.write(encoded((int) sorted[i]));
      }
    }
  }

  /**
   * Every id below 64 (a bit each, the common case: categories, countries): the state as its bits, and each
   * value written to a run only the first time the run needs it ({@link DistinctCount#read} keeps them per run).
   * A reduce then reads a long per key where it read and looked up every value.
   */
  private void writeById(long bits, SpillOutput run) throws IOException {
    if (run != lastRun) {
      lastRun = run;
      inLastRun = 0;
    }
    long fresh = bits & ~inLastRun;
    run.writeInt(DistinctCount.BY_ID);
    run.writeLong(bits);
    run.writeLong(fresh);
    for (long rest = fresh; rest != 0; rest &= rest - 1) {
      run.write(encoded(Long.numberOfTrailingZeros(rest)));
    }
    inLastRun |= fresh;
  }

  @Override
  public void clear() {
    lastRun = null; // the ids are about to change
    inLastRun = 0;
    chunkDictionary = null; // its ids were of the dictionary cleared here
    dictionary.clear();
    pairs = new long[MIN_CELLS];
    Arrays.fill(pairs, EMPTY);
    shift = 64 - Integer.numberOfTrailingZeros(MIN_CELLS);
    pairCount = 0;
    sorted = null;
    encoded = new byte[0][];
  }

  private byte[] encoded(int id) {
    if (id >= encoded.length) {
      encoded = Arrays.copyOf(encoded, dictionary.size());
    }
    if (encoded[id] == null) {
      encoded[id] = ValueCodec.encode(dictionary.value(id));
    }
    return encoded[id];
  }

  private void rehash(int cells) {
    long[] old = pairs;
    pairs = new long[cells];
    Arrays.fill(pairs, EMPTY);
    shift = 64 - Integer.numberOfTrailingZeros(cells);
    int mask = cells - 1;
    for (long pair : old) {
      if (pair != EMPTY) {
        int cell = cellOf(pair);
        while (pairs[cell] != EMPTY) {
          cell = (cell + 1) & mask;
        }
        pairs[cell] = pair;
      }
    }
  }

  /** Fibonacci hashing: the top bits of the product mix slot and id. */
  private int cellOf(long pair) {
    return (int) ((pair * 0x9E3779B97F4A7C15L) >>> shift);
  }
}
