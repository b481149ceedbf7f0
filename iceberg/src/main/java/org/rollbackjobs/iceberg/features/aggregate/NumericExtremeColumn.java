package org.rollbackjobs.iceberg.features.aggregate;

import java.io.DataOutput;
import java.io.IOException;

/**
 * {@link NumericExtreme}'s state in a record: present (0 or 1), then the value (double bits or long), compared
 * the same way.
 */
final class NumericExtremeColumn implements StateColumn {
  private final boolean max;
  private final boolean floating;

  NumericExtremeColumn(boolean max, boolean floating) {
    this.max = max;
    this.floating = floating;
  }

  @Override
  public int width() {
    return 2;
  }

  @Override
  public long add(long[] records, int base, int slot, Object value) {
    Number number = (Number) value;
    if (floating) {
      addDouble(records, base, number.doubleValue());
    } else {
      addLong(records, base, number.longValue());
    }
    return 0;
  }

  @Override
  public long addDoubles(long[] records, int[] states, int base, int[] slots, double[] values, boolean[] nulls,
      int from, int to) {
    for (int r = from; r < to; r++) {
      if (!nulls[r]) {
        if (floating) {
          addDouble(records, states[r] + base, values[r]);
        } else {
          addLong(records, states[r] + base, (long) values[r]);
        }
      }
    }
    return 0;
  }

  @Override
  public long addLongs(long[] records, int[] states, int base, int[] slots, long[] values, boolean[] nulls,
      int from, int to) {
    for (int r = from; r < to; r++) {
      if (!nulls[r]) {
        if (floating) {
          addDouble(records, states[r] + base, (double) values[r]);
        } else {
          addLong(records, states[r] + base, values[r]);
        }
      }
    }
    return 0;
  }

  private void addDouble(long[] records, int base, double v) {
    int c = Double.compare(v, Double.longBitsToDouble(records[base + 1]));
    if (records[base] == 0 || (max ? c > 0 : c < 0)) {
      records[base + 1] = Double.doubleToRawLongBits(v);
    }
    records[base] = 1;
  }

  private void addLong(long[] records, int base, long v) {
    if (records[base] == 0 || (max ? v > records[base + 1] : v < records[base + 1])) {
      records[base + 1] = v;
    }
    records[base] = 1;
  }

  @Override
  public void write(long[] records, int base, int slot, DataOutput out) throws IOException {
    out.writeBoolean(records[base] != 0);
    out.writeDouble(floating ? Double.longBitsToDouble(records[base + 1]) : 0.0);
    out.writeLong(floating ? 0L : records[base + 1]);
  }
}
