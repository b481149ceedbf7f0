package org.rollbackjobs.iceberg.features.aggregate;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.apache.iceberg.types.Type;
import org.rollbackjobs.iceberg.features.value.ValueCodec;
import org.rollbackjobs.iceberg.features.value.ValueOrder;

/** Minimum or maximum by {@link ValueOrder}; null when no value was added. */
final class Extreme implements Aggregate<Extreme.State> {
  static final class State {
    Object value;
  }

  private final Type type;
  private final boolean max;

  Extreme(Type type, boolean max) {
    this.type = type;
    this.max = max;
  }

  @Override
  public String describe() {
    return (max ? "max(" : "min(") + type + ")";
  }

  @Override
  public boolean retainsValues() {
    return true;
  }

  @Override
  public Type resultType() {
    return type;
  }

  @Override
  public State create() {
    return new State();
  }

  @Override
  public int stateBytes() {
    return 48;
  }

  /** The state holds a reference; the engine accounts for the values it keeps (see {@link #retainsValues()}). */
  @Override
  public long add(State state, Object value) {
    if (state.value == null || (max ? ValueOrder.INSTANCE.compare(value, state.value) > 0
        : ValueOrder.INSTANCE.compare(value, state.value) < 0)) {
      state.value = value;
    }
    return 0;
  }

  @Override
  public long merge(State into, State other) {
    return other.value == null ? 0 : add(into, other.value);
  }

  @Override
  public Object result(State state) {
    return state.value;
  }

  @Override
  public void write(State state, DataOutput out) throws IOException {
    ValueCodec.write(out, state.value);
  }

  @Override
  public State read(DataInput in) throws IOException {
    State state = new State();
    state.value = ValueCodec.readShared(in);
    return state;
  }
}
