package org.rollbackjobs.iceberg.features.aggregate;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** Exact sum of integer values (fails on overflow rather than wrapping); null when no value was added. */
final class LongSum implements Aggregate<LongSum.State> {
  static final class State {
    long sum;
    long n;
  }

  private final String input;

  LongSum(String input) {
    this.input = input;
  }

  @Override
  public String describe() {
    return "sum(" + input + ")";
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
    return 32;
  }

  @Override
  public long add(State state, Object value) {
    state.sum = Math.addExact(state.sum, ((Number) value).longValue());
    state.n++;
    return 0;
  }

  @Override
  public long merge(State into, State other) {
    into.sum = Math.addExact(into.sum, other.sum);
    into.n += other.n;
    return 0;
  }

  @Override
  public Object result(State state) {
    return state.n == 0 ? null : state.sum;
  }

  @Override
  public void write(State state, DataOutput out) throws IOException {
    out.writeLong(state.sum);
    out.writeLong(state.n);
  }

  @Override
  public State read(DataInput in) throws IOException {
    State state = new State();
    state.sum = in.readLong();
    state.n = in.readLong();
    return state;
  }

  @Override
  public StateColumn newColumn() {
    return new LongSumColumn();
  }
}
