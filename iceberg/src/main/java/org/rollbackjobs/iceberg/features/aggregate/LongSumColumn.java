package org.rollbackjobs.iceberg.features.aggregate;

import java.io.DataOutput;
import java.io.IOException;

/** {@link LongSum}'s state in a record: sum and count. */
final class LongSumColumn implements StateColumn {
  @Override
  public int width() {
    return 2;
  }

  @Override
  public long add(long[] records, int base, int slot, Object value) {
    records[base] = Math.addExact(records[base], ((Number) value).longValue());
    records[base + 1]++;
    return 0;
  }

  @Override
  public long addLongs(long[] records, int[] states, int base, int[] slots, long[] values, boolean[] nulls,
      int from, int to) {
    for (int r = from; r < to; r++) {
      if (!nulls[r]) {
        int at = states[r] + base;
        records[at] = Math.addExact(records[at], values[r]);
        records[at + 1]++;
      }
    }
    return 0;
  }

  @Override
  public void write(long[] records, int base, int slot, DataOutput out) throws IOException {
    out.writeLong(records[base]);
    out.writeLong(records[base + 1]);
  }
}
