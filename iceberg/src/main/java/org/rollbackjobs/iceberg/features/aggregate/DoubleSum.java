package org.rollbackjobs.iceberg.features.aggregate;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** Sum of floating-point values (compensated); null when no value was added. */
class DoubleSum implements Aggregate<CompensatedSum> {
  final String input;

  DoubleSum(String input) {
    this.input = input;
  }

  @Override
  public String describe() {
    return "sum(" + input + ")";
  }

  @Override
  public Type resultType() {
    return Types.DoubleType.get();
  }

  @Override
  public CompensatedSum create() {
    return new CompensatedSum();
  }

  @Override
  public int stateBytes() {
    return 40;
  }

  @Override
  public long add(CompensatedSum state, Object value) {
    state.add(((Number) value).doubleValue());
    return 0;
  }

  @Override
  public long merge(CompensatedSum into, CompensatedSum other) {
    into.merge(other);
    return 0;
  }

  @Override
  public Object result(CompensatedSum state) {
    return state.n == 0 ? null : state.value();
  }

  @Override
  public void write(CompensatedSum state, DataOutput out) throws IOException {
    out.writeDouble(state.sum);
    out.writeDouble(state.compensation);
    out.writeLong(state.n);
  }

  @Override
  public CompensatedSum read(DataInput in) throws IOException {
    CompensatedSum state = new CompensatedSum();
    state.sum = in.readDouble();
    state.compensation = in.readDouble();
    state.n = in.readLong();
    return state;
  }

  @Override
  public StateColumn newColumn() {
    return new DoubleSumColumn();
  }
}
