package org.rollbackjobs.iceberg.features.aggregate;

import java.io.DataOutput;
import java.io.IOException;

/** {@link Count}'s state in a record: the count. */
final class CountColumn implements StateColumn {
  @Override
  public int width() {
    return 1;
  }

  @Override
  public long add(long[] records, int base, int slot, Object value) {
    records[base]++;
    return 0;
  }

  @Override
  public void write(long[] records, int base, int slot, DataOutput out) throws IOException {
    out.writeLong(records[base]);
  }
}
