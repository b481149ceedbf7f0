package org.rollbackjobs.iceberg.features.aggregate;

/** Arithmetic mean: the same compensated sum and count as {@link DoubleSum}, divided at the end. */
final class Mean extends DoubleSum {

  Mean(String input) {
    super(input);
  }

  @Override
  public String describe() {
    return "mean(" + input + ")";
  }

  @Override
  public Object result(CompensatedSum state) {
    return state.n == 0 ? null : state.value() / state.n;
  }
}
