package org.rollbackjobs.iceberg.features.engine;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Comparator;
import org.rollbackjobs.iceberg.features.value.ValueOrder;

/**
 * Group keys: the value itself for one key column (null allowed), a {@link Composite} for several. Hashes and
 * order are the same in every JVM, so that a key always lands in the same bucket and spill runs sort alike.
 */
final class Keys {
  private Keys() {}

  static Object of(Object[] row, int keyCount) {
    if (keyCount == 1) {
      return normalise(row[0]);
    }
    Object[] values = new Object[keyCount];
    for (int i = 0; i < keyCount; i++) {
      values[i] = normalise(row[i]);
    }
    return new Composite(values);
  }

  /** Fixed-size binary values arrive as byte[], whose equals and hashCode are by identity. */
  static Object normalise(Object value) {
    return value instanceof byte[] bytes ? ByteBuffer.wrap(bytes) : value;
  }

  static Object[] values(Object key, int keyCount) {
    return keyCount == 1 ? new Object[] {key} : ((Composite) key).values.clone();
  }

  static int bucket(Object key, int buckets) {
    int h = key == null ? 0 : key.hashCode();
    // murmur3's finaliser: String hashes of similar ids are close together
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return Math.floorMod(h, buckets);
  }

  static Comparator<Object> order(int keyCount) {
    if (keyCount == 1) {
      return ValueOrder.INSTANCE;
    }
    return (a, b) -> {
      Object[] x = ((Composite) a).values;
      Object[] y = ((Composite) b).values;
      for (int i = 0; i < x.length; i++) {
        int c = ValueOrder.INSTANCE.compare(x[i], y[i]);
        if (c != 0) {
          return c;
        }
      }
      return 0;
    };
  }

  static final class Composite {
    final Object[] values;
    private final int hash;

    Composite(Object[] values) {
      this.values = values;
      this.hash = Arrays.hashCode(values);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Composite c && hash == c.hash && Arrays.equals(values, c.values);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
