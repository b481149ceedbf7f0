package org.rollbackjobs.iceberg.features.aggregate;

import java.io.DataOutput;
import java.io.IOException;

/**
 * A {@link CompensatedSum} (of {@link DoubleSum} and {@link Mean}) in a record: sum and compensation as double
 * bits, then the count; added exactly as {@link CompensatedSum#add}, so the spilled state does not depend on
 * the layout.
 */
final class DoubleSumColumn implements StateColumn {
  @Override
  public int width() {
    return 3;
  }

  @Override
  public long add(long[] records, int base, int slot, Object value) {
    add(records, base, ((Number) value).doubleValue());
    return 0;
  }

  @Override
  public long addDoubles(long[] records, int[] states, int base, int[] slots, double[] values, boolean[] nulls,
      int from, int to) {
    for (int r = from; r < to; r++) {
      if (!nulls[r]) {
        add(records, states[r] + base, values[r]);
      }
    }
    return 0;
  }

  @Override
  public long addLongs(long[] records, int[] states, int base, int[] slots, long[] values, boolean[] nulls,
      int from, int to) {
    for (int r = from; r < to; r++) {
      if (!nulls[r]) {
        add(records, states[r] + base, (double) values[r]);
      }
    }
    return 0;
  }

  private static void add(long[] records, int base, double v) {
    double sum = Double.longBitsToDouble(records[base]);
    double compensation = Double.longBitsToDouble(records[base + 1]);
    double t = sum + v;
    if (Math.abs(sum) >= Math.abs(v)) {
      compensation += (sum - t) + v;
    } else {
      compensation += (v - t) + sum;
    }
    records[base] = Double.doubleToRawLongBits(t);
    records[base + 1] = Double.doubleToRawLongBits(compensation);
    records[base + 2]++;
  }

  @Override
  public void write(long[] records, int base, int slot, DataOutput out) throws IOException {
    out.writeDouble(Double.longBitsToDouble(records[base]));
    out.writeDouble(Double.longBitsToDouble(records[base + 1]));
    out.writeLong(records[base + 2]);
  }
}
