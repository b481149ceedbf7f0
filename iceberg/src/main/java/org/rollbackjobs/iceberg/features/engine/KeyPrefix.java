package org.rollbackjobs.iceberg.features.engine;

/**
 * A 64-bit prefix of a group key that sorts, as an unsigned number, the way {@link Keys#order} sorts keys:
 * {@code prefix(a) < prefix(b)} implies {@code a < b}; equal prefixes say nothing, and the full order decides.
 * Sorting a spill by prefix first compares numbers in one small array where comparing the keys themselves
 * follows a pointer to a string scattered in the heap for every comparison (most of a spill's time with many
 * keys). Exact for longs and ints; for strings, the first eight characters (those up to U+00FF as one byte each).
 * Other types, and composite keys beyond their first value, leave it to the full order. Prefixes compare keys
 * whose (first) values are of one type: the full order sorts values of different types by type.
 */
final class KeyPrefix {
  private KeyPrefix() {}

  /** The type of the key's (first) value, null for null: prefixes of keys of different types do not compare. */
  static Class<?> typeOf(Object key) {
    Object first = key instanceof Keys.Composite composite ? composite.values[0] : key;
    return first == null ? null : first.getClass();
  }

  static long of(Object key) {
    Object first = key instanceof Keys.Composite composite ? composite.values[0] : key;
    if (first instanceof String s) {
      return ofString(s);
    } else if (first instanceof Long l) {
      return l ^ Long.MIN_VALUE; // signed order as unsigned
    } else if (first instanceof Integer i) {
      return (long) i ^ Long.MIN_VALUE;
    }
    return 0; // null (first in the order) and other types: the full order decides
  }

  /**
   * Characters up to U+00FF as one byte each, big-endian, padded with zero bytes (a shorter string sorts first,
   * ties go to the full order). A character above U+00FF sorts after every one-byte character, so it and all
   * the bytes after it become 0xFF: the prefix is then the largest for that start, and ties go to the full order.
   */
  private static long ofString(String s) {
    long prefix = 0;
    int length = Math.min(8, s.length());
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      if (c > 0xFF) {
        return prefix | (-1L >>> (8 * i));
      }
      prefix |= (long) c << (56 - 8 * i);
    }
    return prefix;
  }
}
