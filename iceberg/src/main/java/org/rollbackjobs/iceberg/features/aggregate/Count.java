package org.rollbackjobs.iceberg.features.aggregate;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** Number of values added (rows, for {@code count(*)}); 0 when none. */
final class Count implements Aggregate<Count.State> {
  static final class State {
    long n;
  }

  @Override
  public String describe() {
    return "count";
  }

  @Override
  public Type resultType() {
    return Types.LongType.get();
  }

  @Override
  public State create() {
    return new State();
  }

  @Override
  public int stateBytes() {
    return 24;
  }

  @Override
  public long add(State state, Object value) {
    state.n++;
    return 0;
  }

  @Override
  public long merge(State into, State other) {
    into.n += other.n;
    return 0;
  }

  @Override
  public Object result(State state) {
    return state.n;
  }

  @Override
  public void write(State state, DataOutput out) throws IOException {
    out.writeLong(state.n);
  }

  @Override
  public State read(DataInput in) throws IOException {
    State state = new State();
    state.n = in.readLong();
    return state;
  }

  @Override
  public StateColumn newColumn() {
    return new CountColumn();
  }
}
