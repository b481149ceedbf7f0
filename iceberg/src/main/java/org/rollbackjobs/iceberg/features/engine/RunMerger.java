package org.rollbackjobs.iceberg.features.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.rollbackjobs.iceberg.features.aggregate.Aggregate;

/**
 * Merges sorted runs of one bucket into one sorted stream of (key, merged partial states), holding one record
 * per run in memory. Equal keys are merged in run order, so that floating-point results do not depend on
 * thread scheduling. More runs than {@link #MAX_FAN_IN} are first merged in groups into intermediate runs.
 */
final class RunMerger {
  static final int MAX_FAN_IN = 128;

  interface Sink {
    void accept(Object key, Object[] states) throws IOException;
  }

  private final List<Aggregate<Object>> aggregates;
  private final int keyCount;
  private final Comparator<Object> order;
  private final Path scratch;

  RunMerger(List<Aggregate<Object>> aggregates, int keyCount, Path scratch) {
    this.aggregates = aggregates;
    this.keyCount = keyCount;
    this.order = Keys.order(keyCount);
    this.scratch = scratch;
  }

  void merge(List<Path> runs, Sink sink) throws IOException {
    List<Path> level = runs;
    int pass = 0;
    while (level.size() > MAX_FAN_IN) {
      List<Path> next = new ArrayList<>();
      for (int from = 0; from < level.size(); from += MAX_FAN_IN) {
        List<Path> group = level.subList(from, Math.min(level.size(), from + MAX_FAN_IN));
        Path merged = scratch.resolve(String.format("merge-%03d-%05d.run", pass, next.size()));
        try (RunFiles.Writer writer = new RunFiles.Writer(merged, aggregates, keyCount)) {
          mergeOnce(group, writer::write);
        }
        next.add(merged);
      }
      if (pass > 0) {
        deleteAll(level);
      }
      level = next;
      pass++;
    }
    mergeOnce(level, sink);
    if (pass > 0) {
      deleteAll(level);
    }
  }

  private void mergeOnce(List<Path> runs, Sink sink) throws IOException {
    List<RunFiles.Reader> readers = new ArrayList<>();
    PriorityQueue<Cursor> queue = new PriorityQueue<>(Math.max(1, runs.size()),
        (a, b) -> {
          int c = compareKeys(a.reader, b.reader);
          return c != 0 ? c : Integer.compare(a.index, b.index);
        });
    try {
      for (int i = 0; i < runs.size(); i++) {
        RunFiles.Reader reader = new RunFiles.Reader(runs.get(i), aggregates, keyCount);
        readers.add(reader);
        if (reader.advance()) {
          queue.add(new Cursor(reader, i));
        }
      }
      while (!queue.isEmpty()) {
        Cursor first = queue.poll();
        Object key = first.reader.key;
        long keyPrefix = first.reader.prefix;
        Class<?> keyType = first.reader.prefixType;
        Object[] states = first.reader.states;
        if (first.reader.advance()) {
          queue.add(first);
        }
        while (!queue.isEmpty() && compareKeys(queue.peek().reader, key, keyPrefix, keyType) == 0) {
          Cursor same = queue.poll();
          for (int i = 0; i < states.length; i++) {
            aggregates.get(i).merge(states[i], same.reader.states[i]);
          }
          if (same.reader.advance()) {
            queue.add(same);
          }
        }
        sink.accept(key, states);
      }
    } finally {
      for (RunFiles.Reader reader : readers) {
        reader.close();
      }
    }
  }

  /**
   * The order of two runs' current keys: by their {@link KeyPrefix} where both are of one type (a long compare,
   * with many runs most of a merge's comparisons), in full where the prefixes tie.
   */
  private int compareKeys(RunFiles.Reader a, RunFiles.Reader b) {
    return compareKeys(a, b.key, b.prefix, b.prefixType);
  }

  private int compareKeys(RunFiles.Reader a, Object key, long prefix, Class<?> prefixType) {
    if (a.prefixType != null && a.prefixType == prefixType) {
      int c = Long.compareUnsigned(a.prefix, prefix);
      if (c != 0) {
        return c;
      }
    }
    return order.compare(a.key, key);
  }

  private static void deleteAll(List<Path> files) {
    for (Path file : files) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private record Cursor(RunFiles.Reader reader, int index) {}
}
