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
  public long addDoubles(long[] records, int[] states, int base, int[] slots, double[] values, boolean[] nulls,
      int from, int to) {
    return addPresent(records, states, base, nulls, from, to);
  }

  @Override
  public long addLongs(long[] records, int[] states, int base, int[] slots, long[] values, boolean[] nulls,
      int from, int to) {
    return addPresent(records, states, base, nulls, from, to);
  }

  @Override
  public long addRows(long[] records, int[] states, int base, int[] slots, int from, int to) {
    for (int r = from; r < to; r++) {
      records[states[r] + base]++;
    }
    return 0;
  }

  private static long addPresent(long[] records, int[] states, int base, boolean[] nulls, int from, int to) {
    for (int r = from; r < to; r++) {
      if (!nulls[r]) {
        records[states[r] + base]++;
      }
    }
    return 0;
  }

  @Override
  public void write(long[] records, int base, int slot, DataOutput out) throws IOException {
    out.writeLong(records[base]);
  }
}
