package org.rollbackjobs.iceberg.features.aggregate;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.rollbackjobs.iceberg.features.value.ValueCodec;

/** Exact number of distinct values (the partial state is the set of values seen); 0 when none. */
final class DistinctCount implements Aggregate<DistinctCount.State> {
  private static final int ENTRY_BYTES = 48;

  static final class State {
    final Set<Object> values = new HashSet<>(4);
  }

  private final Type type;

  DistinctCount(Type type) {
    this.type = type;
  }

  @Override
  public String describe() {
    return "distinct-count(" + type + ")";
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
    return 96;
  }

  @Override
  public long add(State state, Object value) {
    return state.values.add(value) ? ENTRY_BYTES + ValueCodec.estimatedBytes(value) : 0;
  }

  @Override
  public long merge(State into, State other) {
    long grown = 0;
    for (Object value : other.values) {
      grown += add(into, value);
    }
    return grown;
  }

  @Override
  public Object result(State state) {
    return (long) state.values.size();
  }

  @Override
  public void write(State state, DataOutput out) throws IOException {
    out.writeInt(state.values.size());
    for (Object value : state.values) {
      ValueCodec.write(out, value);
    }
  }

  @Override
  public State read(DataInput in) throws IOException {
    State state = new State();
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      state.values.add(ValueCodec.read(in));
    }
    return state;
  }
}
