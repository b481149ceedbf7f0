package org.rollbackjobs.iceberg.features.value;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Comparator;

/**
 * A total order over generic values: nulls first, then values of one type by their natural order (doubles by
 * {@link Double#compare}), values of different types by type. Sorted spill runs and min/max use it.
 */
public final class ValueOrder implements Comparator<Object> {
  public static final ValueOrder INSTANCE = new ValueOrder();

  private ValueOrder() {}

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public int compare(Object a, Object b) {
    if (a == b) {
      return 0;
    } else if (a == null) {
      return -1;
    } else if (b == null) {
      return 1;
    }
    if (a.getClass() == b.getClass()) {
      if (a instanceof byte[] x) {
        return Arrays.compareUnsigned(x, (byte[]) b);
      }
      if (a instanceof ByteBuffer x) {
        return x.compareTo((ByteBuffer) b);
      }
      if (a instanceof Comparable c) {
        return c.compareTo(b);
      }
    }
    if (a instanceof ByteBuffer x && b instanceof ByteBuffer y) { // heap and direct buffers
      return x.compareTo(y);
    }
    return a.getClass().getName().compareTo(b.getClass().getName());
  }
}
