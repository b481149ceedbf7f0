package org.rollbackjobs.iceberg.verify;

import java.util.HashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The keys of a feature table that fall in a deterministic sample (by a hash of their text form, so that keys
 * computed by a pipeline and keys read back from the table land in the same sample), with how often each was
 * seen.
 */
final class KeySample {
  private final double fraction;
  private final Map<String, Integer> keys = new HashMap<>();

  KeySample(double fraction) {
    this.fraction = fraction;
  }

  static String keyOf(Object[] values, int count) {
    if (count == 1) {
      return String.valueOf(values[0]);
    }
    StringJoiner key = new StringJoiner("|");
    for (int i = 0; i < count; i++) {
      key.add(String.valueOf(values[i]));
    }
    return key.toString();
  }

  void add(String key) {
    if (fraction >= 1.0 || sampled(key)) {
      keys.merge(key, 1, Integer::sum);
    }
  }

  Map<String, Integer> keys() {
    return keys;
  }

  private boolean sampled(String key) {
    long h = key.hashCode() * 0x9E3779B97F4A7C15L;
    h ^= h >>> 29;
    return (h >>> 11) * 0x1.0p-53 < fraction;
  }
}
