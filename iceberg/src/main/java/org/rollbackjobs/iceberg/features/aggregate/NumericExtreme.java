package org.rollbackjobs.iceberg.features.aggregate;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.apache.iceberg.types.Type;

/**
 * Minimum or maximum of a numeric column with a primitive state: no boxed value to follow, no general value
 * order, on the hot path of per-key aggregation. Same results as {@link Extreme} (doubles in
 * {@link Double#compare} order).
 */
final class NumericExtreme implements Aggregate<NumericExtreme.State> {
  static final class State {
    boolean present;
    double doubleValue;
    long longValue;
  }

  private final Type type;
  private final boolean max;
  private final boolean floating;

  NumericExtreme(Type type, boolean max) {
    this.type = type;
    this.max = max;
    this.floating = type.typeId() == Type.TypeID.DOUBLE || type.typeId() == Type.TypeID.FLOAT;
  }

  @Override
  public String describe() {
    return (max ? "max(" : "min(") + type + ")";
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
    return 32;
  }

  @Override
  public long add(State state, Object value) {
    Number number = (Number) value;
    if (floating) {
      double v = number.doubleValue();
      if (!state.present || (max ? Double.compare(v, state.doubleValue) > 0 : Double.compare(v, state.doubleValue) < 0)) {
        state.doubleValue = v;
      }
    } else {
      long v = number.longValue();
      if (!state.present || (max ? v > state.longValue : v < state.longValue)) {
        state.longValue = v;
      }
    }
    state.present = true;
    return 0;
  }

  @Override
  public long merge(State into, State other) {
    if (other.present) {
      add(into, floating ? (Object) other.doubleValue : (Object) other.longValue);
    }
    return 0;
  }

  @Override
  public Object result(State state) {
    if (!state.present) {
      return null;
    }
    switch (type.typeId()) {
      case DOUBLE:
        return state.doubleValue;
      case FLOAT:
        return (float) state.doubleValue;
      case INTEGER:
        return (int) state.longValue;
      default:
        return state.longValue;
    }
  }

  @Override
  public void write(State state, DataOutput out) throws IOException {
    out.writeBoolean(state.present);
    out.writeDouble(state.doubleValue);
    out.writeLong(state.longValue);
  }

  @Override
  public State read(DataInput in) throws IOException {
    State state = new State();
    state.present = in.readBoolean();
    state.doubleValue = in.readDouble();
    state.longValue = in.readLong();
    return state;
  }

  @Override
  public StateColumn newColumn() {
    return new NumericExtremeColumn(max, floating);
  }
}
