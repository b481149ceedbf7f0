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
    boolean present = records[base] != 0;
    Number number = (Number) value;
    if (floating) {
      double v = number.doubleValue();
      int c = Double.compare(v, Double.longBitsToDouble(records[base + 1]));
      if (!present || (max ? c > 0 : c < 0)) {
        records[base + 1] = Double.doubleToRawLongBits(v);
      }
    } else {
      long v = number.longValue();
      if (!present || (max ? v > records[base + 1] : v < records[base + 1])) {
        records[base + 1] = v;
      }
    }
    records[base] = 1;
    return 0;
  }

  @Override
  public void write(long[] records, int base, int slot, DataOutput out) throws IOException {
    out.writeBoolean(records[base] != 0);
    out.writeDouble(floating ? Double.longBitsToDouble(records[base + 1]) : 0.0);
    out.writeLong(floating ? 0L : records[base + 1]);
  }
}
