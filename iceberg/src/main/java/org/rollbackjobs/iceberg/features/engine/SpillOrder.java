package org.rollbackjobs.iceberg.features.engine;

import java.util.Arrays;

/**
 * The order a spill writes a partition's keys in: by bucket, then by key. Sorting boxed slot numbers with a
 * comparator was half of a spill's time (pointer chasing to the boxes, three comparisons per step); here the
 * slots are counted into buckets, radix-sorted by their 64-bit {@link KeyPrefix} within a bucket, and only keys
 * whose prefixes are equal are compared in full.
 */
final class SpillOrder {
  /** Compares the keys of two slots. */
  @FunctionalInterface
  interface SlotComparator {
    int compare(int a, int b);
  }

  private SpillOrder() {}

  /**
   * @param byPrefix whether the prefixes order the keys (else only the comparator does)
   * @return the slots {@code 0..count)} in spill order
   */
  static int[] sort(int count, int[] bucketOf, int buckets, long[] prefixOf, boolean byPrefix, SlotComparator keys) {
    int[] starts = new int[buckets + 1];
    for (int slot = 0; slot < count; slot++) {
      starts[bucketOf[slot] + 1]++;
    }
    for (int b = 0; b < buckets; b++) {
      starts[b + 1] += starts[b];
    }
    int[] slots = new int[count];
    int[] next = Arrays.copyOf(starts, buckets);
    for (int slot = 0; slot < count; slot++) {
      slots[next[bucketOf[slot]]++] = slot;
    }
    long[] prefixes = new long[count];
    long[] prefixScratch = new long[count];
    int[] slotScratch = new int[count];
    for (int b = 0; b < buckets; b++) {
      int from = starts[b];
      int to = starts[b + 1];
      if (!byPrefix) {
        sortByKey(slots, from, to, keys);
        continue;
      }
      for (int i = from; i < to; i++) {
        prefixes[i] = prefixOf[slots[i]];
      }
      radixSort(prefixes, slots, prefixScratch, slotScratch, from, to);
      for (int i = from; i < to; ) { // equal prefixes: the keys decide
        int end = i + 1;
        while (end < to && prefixes[end] == prefixes[i]) {
          end++;
        }
        if (end - i > 1) {
          sortByKey(slots, i, end, keys);
        }
        i = end;
      }
    }
    return slots;
  }

  /** Stable LSD radix sort of {@code keys[from..to)} as unsigned, carrying {@code slots} along; skips bytes all keys share. */
  private static void radixSort(long[] keys, int[] slots, long[] keyScratch, int[] slotScratch, int from, int to) {
    if (to - from < 2) {
      return;
    }
    int[] counts = new int[257];
    for (int shift = 0; shift < 64; shift += 8) {
      Arrays.fill(counts, 0);
      for (int i = from; i < to; i++) {
        counts[digit(keys[i], shift) + 1]++;
      }
      if (counts[digit(keys[from], shift) + 1] == to - from) {
        continue; // every key has this byte: the pass would not move anything
      }
      counts[0] = from;
      for (int d = 0; d < 256; d++) {
        counts[d + 1] += counts[d];
      }
      for (int i = from; i < to; i++) {
        int at = counts[digit(keys[i], shift)]++;
        keyScratch[at] = keys[i];
        slotScratch[at] = slots[i];
      }
      System.arraycopy(keyScratch, from, keys, from, to - from);
      System.arraycopy(slotScratch, from, slots, from, to - from);
    }
  }

  private static int digit(long key, int shift) {
    return (int) (key >>> shift) & 0xFF;
  }

  private static void sortByKey(int[] slots, int from, int to, SlotComparator keys) {
    if (to - from < 2) {
      return;
    }
    Integer[] boxed = new Integer[to - from];
    for (int i = from; i < to; i++) {
      boxed[i - from] = slots[i];
    }
    Arrays.sort(boxed, (a, b) -> keys.compare(a, b));
    for (int i = from; i < to; i++) {
      slots[i] = boxed[i - from];
    }
  }
}
