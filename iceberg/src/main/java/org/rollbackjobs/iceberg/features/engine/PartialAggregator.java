package org.rollbackjobs.iceberg.features.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rollbackjobs.iceberg.features.RowTransform;
import org.rollbackjobs.iceberg.features.aggregate.Aggregate;
import org.rollbackjobs.iceberg.features.value.ValueCodec;

/**
 * Aggregates one map partition's rows per key in memory, within a byte budget. When the estimated size of the
 * partial states passes the budget, they are sorted by key and spilled to one run per bucket, and the map
 * starts empty again; {@link #finish()} spills what is left. Memory stays bounded whatever the number of keys:
 * the reduce side merges the runs.
 */
final class PartialAggregator {
  /** HashMap node, table slot and state array of one key. */
  private static final int ENTRY_BYTES = 96;
  private static final int CANONICAL_VALUES = 65_536;

  private final List<Aggregate<Object>> aggregates;
  private final int keyCount;
  private final int buckets;
  private final long budget;
  private final Path directory;
  private final Comparator<Object> order;
  private final int stateBytes;
  private final Map<Object, Object[]> states = new HashMap<>(1 << 12);
  private final List<List<Path>> runsByBucket = new ArrayList<>();
  private final boolean[] retains;
  private final Map<Object, Object> canonical = new HashMap<>();
  private long bytes;
  private int spills;

  PartialAggregator(List<Aggregate<Object>> aggregates, int keyCount, int buckets, long budget, Path directory) {
    this.aggregates = aggregates;
    this.keyCount = keyCount;
    this.buckets = buckets;
    this.budget = budget;
    this.directory = directory;
    this.order = Keys.order(keyCount);
    this.stateBytes = aggregates.stream().mapToInt(Aggregate::stateBytes).sum();
    this.retains = new boolean[aggregates.size()];
    for (int i = 0; i < retains.length; i++) {
      retains[i] = aggregates.get(i).retainsValues();
    }
    for (int b = 0; b < buckets; b++) {
      runsByBucket.add(new ArrayList<>());
    }
  }

  /** Folds one transformed row (keys first, then one value per aggregate) into its key's partial states. */
  void add(Object[] row) {
    Object key = Keys.of(row, keyCount);
    Object[] partial = states.get(key);
    if (partial == null) {
      partial = new Object[aggregates.size()];
      for (int i = 0; i < partial.length; i++) {
        partial[i] = aggregates.get(i).create();
      }
      states.put(key, partial);
      bytes += ENTRY_BYTES + keyBytes(key) + stateBytes;
    }
    for (int i = 0; i < partial.length; i++) {
      Object value = row[keyCount + i];
      if (value != null && value != RowTransform.SKIP) {
        value = Keys.normalise(value);
        bytes += aggregates.get(i).add(partial[i], retains[i] ? canonical(value) : value);
      }
    }
    if (bytes > budget) {
      spill();
    }
  }

  /** Spills what is in memory; returns the runs of each bucket in spill order. */
  List<List<Path>> finish() {
    if (!states.isEmpty() || spills == 0) {
      spill();
    }
    return runsByBucket;
  }

  int spills() {
    return spills;
  }

  private void spill() {
    List<Map.Entry<Object, Object[]>> entries = new ArrayList<>(states.entrySet());
    entries.sort(Map.Entry.comparingByKey(order));
    RunFiles.Writer[] writers = new RunFiles.Writer[buckets];
    try {
      for (Map.Entry<Object, Object[]> entry : entries) {
        int bucket = Keys.bucket(entry.getKey(), buckets);
        if (writers[bucket] == null) {
          Path run = directory.resolve(String.format("spill-%05d-bucket-%05d.run", spills, bucket));
          writers[bucket] = new RunFiles.Writer(run, aggregates, keyCount);
          runsByBucket.get(bucket).add(run);
        }
        writers[bucket].write(entry.getKey(), entry.getValue());
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
    states.clear();
    canonical.clear();
    bytes = 0;
  }

  /**
   * One instance per equal retained value, for the first {@link #CANONICAL_VALUES} different values (counted
   * once); beyond them, every value kept is counted as if it were kept on its own.
   */
  private Object canonical(Object value) {
    Object shared = canonical.get(value);
    if (shared != null) {
      return shared;
    }
    if (canonical.size() < CANONICAL_VALUES) {
      canonical.put(value, value);
      bytes += ENTRY_BYTES;
    }
    bytes += ValueCodec.estimatedBytes(value);
    return value;
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
