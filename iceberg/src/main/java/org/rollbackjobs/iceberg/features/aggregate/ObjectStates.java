package org.rollbackjobs.iceberg.features.aggregate;

import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.rollbackjobs.iceberg.features.value.ValueCodec;

/**
 * One state object per slot, outside the records: the column of any aggregate without a primitive layout
 * (string min/max, aggregates of Java pipelines). For aggregates that {@link Aggregate#retainsValues() retain
 * values} it feeds one shared instance per equal value and accounts for the values' memory.
 */
final class ObjectStates<S> implements StateColumn {
  /** HashMap node and table slot of one shared value. */
  private static final int SHARED_ENTRY_BYTES = 48;
  private static final int SHARED_VALUES = 65_536;

  private final Aggregate<S> aggregate;
  private final Map<Object, Object> shared = new HashMap<>();
  private Object[] states = new Object[16];

  ObjectStates(Aggregate<S> aggregate) {
    this.aggregate = aggregate;
  }

  @Override
  public int width() {
    return 0;
  }

  @Override
  public int bytesPerSlot() {
    return 8 + aggregate.stateBytes();
  }

  @Override
  public long add(long[] records, int base, int slot, Object value) {
    long grown = 0;
    if (aggregate.retainsValues()) {
      Object same = shared.get(value);
      if (same != null) {
        value = same;
      } else {
        if (shared.size() < SHARED_VALUES) { // beyond them, each value kept is counted as kept on its own
          shared.put(value, value);
          grown += SHARED_ENTRY_BYTES;
        }
        grown += ValueCodec.estimatedBytes(value);
      }
    }
    return grown + aggregate.add(state(slot), value);
  }

  @Override
  public void write(long[] records, int base, int slot, DataOutput out) throws IOException {
    aggregate.write(state(slot), out);
  }

  @Override
  public void clear() {
    states = new Object[16];
    shared.clear();
  }

  @SuppressWarnings("unchecked")
  private S state(int slot) {
    if (slot >= states.length) {
      states = Arrays.copyOf(states, Math.max(slot + 1, states.length * 2));
    }
    Object state = states[slot];
    if (state == null) {
      state = aggregate.create();
      states[slot] = state;
    }
    return (S) state;
  }
}
