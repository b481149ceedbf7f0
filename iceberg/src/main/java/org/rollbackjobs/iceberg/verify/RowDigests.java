package org.rollbackjobs.iceberg.verify;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.StructLike;

/**
 * A multiset of 64-bit row digests: two tables hold the same rows when their multisets are equal. Values are
 * hashed by content (byte arrays and buffers included), so rows rewritten into other files compare equal.
 */
final class RowDigests {
  private final Map<Long, Integer> counts = new HashMap<>();
  private long rows;

  void add(StructLike row, int columns) {
    long h = 0x9E3779B97F4A7C15L;
    for (int i = 0; i < columns; i++) {
      h = mix(h * 31 + hash(row.get(i, Object.class)));
    }
    counts.merge(h, 1, Integer::sum);
    rows++;
  }

  long rows() {
    return rows;
  }

  /** Rows of this multiset that {@code other} lacks (with multiplicity). */
  long notIn(RowDigests other) {
    long missing = 0;
    for (Map.Entry<Long, Integer> e : counts.entrySet()) {
      missing += Math.max(0, e.getValue() - other.counts.getOrDefault(e.getKey(), 0));
    }
    return missing;
  }

  private static long hash(Object value) {
    if (value == null) {
      return 0x51ED27L;
    }
    if (value instanceof byte[] bytes) {
      return Arrays.hashCode(bytes);
    }
    if (value instanceof ByteBuffer buffer) {
      return buffer.duplicate().hashCode();
    }
    if (value instanceof StructLike struct) {
      long h = 17;
      for (int i = 0; i < struct.size(); i++) {
        h = h * 31 + hash(struct.get(i, Object.class));
      }
      return h;
    }
    return value.hashCode();
  }

  /** murmur3's 64-bit finaliser. */
  private static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb93fe53f1ed5L;
    h ^= h >>> 33;
    return h;
  }
}
