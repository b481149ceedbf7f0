package org.rollbackjobs.iceberg.features.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.rollbackjobs.iceberg.features.RowTransform;
import org.rollbackjobs.iceberg.features.aggregate.Aggregate;
import org.rollbackjobs.iceberg.features.aggregate.StateColumn;
import org.rollbackjobs.iceberg.features.value.ValueCodec;

/**
 * Aggregates one map partition's rows per key in memory, within a byte budget. Keys and the states of every
 * aggregate's {@link StateColumn} (entirely, for the built-in aggregates) share one {@link StateTable}: one
 * table cell per row. When the estimated heap would pass the budget, the states are sorted by key and spilled
 * to one run per bucket, and the aggregation starts empty again; {@link #finish()} spills what is left. Memory
 * stays bounded whatever the number of keys: the reduce side merges the runs.
 */
final class PartialAggregator {
  private final List<Aggregate<Object>> aggregates;
  private final int keyCount;
  private final int buckets;
  private final long budget;
  private final Path directory;
  private final Comparator<Object> order;
  private final StateColumn[] columns;
  /** Where each column's state starts among a key's states. */
  private final int[] offsets;
  private final StateTable table;
  /** Heap per key kept beside the table (state objects of columns without a primitive layout). */
  private final int sideBytesPerKey;
  private final List<List<Path>> runsByBucket = new ArrayList<>();
  /** Heap of the key objects and of what the columns hold beyond the table. */
  private long heldBytes;
  private int spills;
  private Object[] batchKeys = new Object[0];
  /** Where each row of the current column batch has its states, and its slot. */
  private int[] batchStates = new int[0];
  private int[] batchSlots = new int[0];
  /** Per slot of the table: the key's bucket and {@link KeyPrefix}. */
  private int[] bucketBySlot = new int[0];
  private long[] prefixBySlot = new long[0];
  /** The type of the keys since the last spill; the prefixes are compared only while there is one. */
  private Class<?> prefixType;
  private boolean prefixesComparable = true;

  PartialAggregator(List<Aggregate<Object>> aggregates, int keyCount, int buckets, long budget, Path directory) {
    this.aggregates = aggregates;
    this.keyCount = keyCount;
    this.buckets = buckets;
    this.budget = budget;
    this.directory = directory;
    this.order = Keys.order(keyCount);
    this.columns = aggregates.stream().map(Aggregate::newColumn).toArray(StateColumn[]::new);
    this.offsets = new int[columns.length];
    int width = 0;
    for (int i = 0; i < columns.length; i++) {
      offsets[i] = width;
      width += columns[i].width();
    }
    this.table = new StateTable(width);
    this.sideBytesPerKey = Arrays.stream(columns).mapToInt(StateColumn::bytesPerSlot).sum();
    for (int b = 0; b < buckets; b++) {
      runsByBucket.add(new ArrayList<>());
    }
  }

  /** Folds the first {@code count} rows of a batch, their keys' cells fetched first (see {@link StateTable#prefetch}). */
  void addAll(Object[][] rows, int count) {
    if (batchKeys.length < count) {
      batchKeys = new Object[count];
    }
    for (int i = 0; i < count; i++) {
      batchKeys[i] = Keys.of(rows[i], keyCount);
    }
    table.prefetch(batchKeys, count);
    for (int i = 0; i < count; i++) {
      add(rows[i], batchKeys[i], i);
      batchKeys[i] = null;
    }
  }

  /** Feeds one aggregate the values of rows [from, to) of a column batch (see {@link #addBatch}). */
  interface BatchFeed {
    /** Feeds aggregate {@code aggregate} through {@code column}'s batch methods; returns the bytes it grew by. */
    long feed(int aggregate, StateColumn column, long[] cells, int[] states, int base, int[] slots, int from, int to);
  }

  /**
   * Folds the first {@code count} rows of a column batch, whose keys are {@code keys}: the keys are looked up in
   * row order as {@link #add} does, then each aggregate is fed the rows' values a column at a time (one loop of
   * one aggregate over primitive values, instead of a dispatch per row and aggregate). The states are those
   * {@link #add} gives for the same rows; a spill falls between two rows, before the rows after it are looked up.
   */
  void addBatch(Object[] keys, int count, BatchFeed feed) {
    table.prefetch(keys, count);
    addBatch(keys, null, count, feed);
  }

  /** {@link #addBatch(Object[], int, BatchFeed)} for keys packed by their column, made objects only when new. */
  void addBatch(PackedKeys keys, int count, BatchFeed feed) {
    table.prefetch(keys, count);
    addBatch(null, keys, count, feed);
  }

  /** One of {@code objects} and {@code packed} gives the keys; their cells were prefetched. */
  private void addBatch(Object[] objects, PackedKeys packed, int count, BatchFeed feed) {
    if (batchStates.length < count) {
      batchStates = new int[count];
      batchSlots = new int[count];
    }
    int from = 0;
    boolean grew = false;
    for (int r = 0; r < count; r++) {
      if (table.size() > 0 && table.growsOnNextKey() && usedBytes(table.bytesGrown()) > budget) {
        feedRows(feed, from, r);
        spill();
        from = r;
        grew = false;
      }
      int known = table.size();
      long[] cells = table.cells();
      int states = packed != null ? table.statesOfPacked(packed, r) : table.statesOfPrefetched(objects[r], r);
      batchStates[r] = states;
      int slot = table.slotAt(states);
      batchSlots[r] = slot;
      if (table.size() != known) {
        Object key = table.key(slot);
        heldBytes += keyBytes(key) + sideBytesPerKey;
        grew = true;
        remember(slot, key);
        if (table.cells() != cells) { // the table grew and moved every cell: the batch's earlier rows again
          for (int q = from; q < r; q++) {
            batchStates[q] = packed != null ? table.statesOfPacked(packed, q) : table.statesOf(objects[q]);
          }
        }
      }
    }
    grew |= feedRows(feed, from, count);
    if (grew && usedBytes(table.bytes()) > budget) {
      spill();
    }
  }

  /** Feeds every aggregate rows [from, to) of the batch; whether a column grew. */
  private boolean feedRows(BatchFeed feed, int from, int to) {
    if (from == to) {
      return false;
    }
    long[] cells = table.cells();
    long grown = 0;
    for (int i = 0; i < columns.length; i++) {
      grown += feed.feed(i, columns[i], cells, batchStates, offsets[i], batchSlots, from, to);
    }
    heldBytes += grown;
    return grown != 0;
  }

  /** Folds one transformed row (keys first, then one value per aggregate) into its key's partial states. */
  void add(Object[] row) {
    add(row, Keys.of(row, keyCount), -1);
  }

  /** @param prefetched the key's index in the last prefetch, or -1 */
  private void add(Object[] row, Object key, int prefetched) {
    int known = table.size();
    if (known > 0 && table.growsOnNextKey() && usedBytes(table.bytesGrown()) > budget) {
      spill(); // before the table doubles past the budget (a known key would not grow it, but cannot be told apart cheaply)
      known = 0;
    }
    int states = prefetched >= 0 ? table.statesOfPrefetched(key, prefetched) : table.statesOf(key);
    int slot = table.slotAt(states);
    boolean grew = false;
    if (table.size() != known) {
      heldBytes += keyBytes(key) + sideBytesPerKey;
      grew = true;
      remember(slot, key);
    }
    long[] cells = table.cells();
    for (int i = 0; i < columns.length; i++) {
      Object value = row[keyCount + i];
      if (value != null && value != RowTransform.SKIP) {
        long bytes = columns[i].add(cells, states + offsets[i], slot, Keys.normalise(value));
        if (bytes != 0) {
          heldBytes += bytes;
          grew = true;
        }
      }
    }
    // only a new key or a growing state can pass the budget
    if (grew && usedBytes(table.bytes()) > budget) {
      spill();
    }
  }

  /** Spills what is in memory; returns the runs of each bucket in spill order. */
  List<List<Path>> finish() {
    if (table.size() > 0 || spills == 0) {
      spill();
    }
    return runsByBucket;
  }

  int spills() {
    return spills;
  }

  private long usedBytes(long tableBytes) {
    return heldBytes + tableBytes + 12L * bucketBySlot.length;
  }

  /** A new key's bucket and order prefix, worked out while the key is still in cache, for the spill. */
  private void remember(int slot, Object key) {
    if (slot == bucketBySlot.length) {
      int length = Math.max(64, slot * 2);
      bucketBySlot = Arrays.copyOf(bucketBySlot, length);
      prefixBySlot = Arrays.copyOf(prefixBySlot, length);
    }
    bucketBySlot[slot] = Keys.bucket(key, buckets);
    prefixBySlot[slot] = KeyPrefix.of(key);
    Class<?> type = KeyPrefix.typeOf(key);
    if (type != null) {
      if (prefixType == null) {
        prefixType = type;
      } else if (prefixType != type) {
        prefixesComparable = false;
      }
    }
  }

  private void spill() {
    int[] bucketOf = bucketBySlot;
    int[] slots = SpillOrder.sort(table.size(), bucketOf, buckets, prefixBySlot, prefixesComparable,
        (a, b) -> order.compare(table.key(a), table.key(b)));
    int[] statesBySlot = table.statesBySlot();
    long[] cells = table.cells();
    RunFiles.Writer[] writers = new RunFiles.Writer[buckets];
    try {
      for (int slot : slots) {
        Object key = table.key(slot);
        int bucket = bucketOf[slot];
        if (writers[bucket] == null) {
          Path run = directory.resolve(String.format("spill-%05d-bucket-%05d.run", spills, bucket));
          writers[bucket] = new RunFiles.Writer(run, aggregates, keyCount);
          runsByBucket.get(bucket).add(run);
        }
        writers[bucket].write(key, slot, cells, statesBySlot[slot], columns, offsets);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot spill partial aggregates to " + directory, e);
    } finally {
      for (RunFiles.Writer writer : writers) {
        if (writer != null) {
          try {
            writer.close();
          } catch (IOException e) {
            throw new UncheckedIOException("cannot close a spill run in " + directory, e);
          }
        }
      }
    }
    spills++;
    prefixType = null;
    prefixesComparable = true;
    table.clear();
    for (StateColumn column : columns) {
      column.clear();
    }
    heldBytes = 0;
  }

  private int keyBytes(Object key) {
    if (keyCount == 1) {
      return ValueCodec.estimatedBytes(key);
    }
    int total = 32;
    for (Object value : ((Keys.Composite) key).values) {
      total += 8 + ValueCodec.estimatedBytes(value);
    }
    return total;
  }
}
