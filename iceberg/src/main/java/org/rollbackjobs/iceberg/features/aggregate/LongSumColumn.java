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
  public void write(long[] records, int base, int slot, DataOutput out) throws IOException {
    out.writeLong(records[base]);
    out.writeLong(records[base + 1]);
  }
}
