package org.rollbackjobs.iceberg.features.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.commons.jexl3.JexlArithmetic;
import org.junit.jupiter.api.Test;

/** The comparisons' fast path for two doubles gives what JEXL's own arithmetic gives, special values included. */
class FeatureArithmeticTest {
  private static final List<Double> VALUES = List.of(Double.NaN, Double.NEGATIVE_INFINITY, -1e300, -1.5, -0.0, 0.0,
      Double.MIN_VALUE, 1.0, 10_000.0, 1e300, Double.POSITIVE_INFINITY);

  @Test
  void doubleComparisonsAreJexls() {
    FeatureArithmetic ours = new FeatureArithmetic();
    JexlArithmetic jexl = new JexlArithmetic(true);
    for (Double a : VALUES) {
      for (Double b : VALUES) {
        assertThat(ours.lessThan(a, b)).as("%s < %s", a, b).isEqualTo(jexl.lessThan(a, b));
        assertThat(ours.lessThanOrEqual(a, b)).as("%s <= %s", a, b).isEqualTo(jexl.lessThanOrEqual(a, b));
        assertThat(ours.greaterThan(a, b)).as("%s > %s", a, b).isEqualTo(jexl.greaterThan(a, b));
        assertThat(ours.greaterThanOrEqual(a, b)).as("%s >= %s", a, b).isEqualTo(jexl.greaterThanOrEqual(a, b));
      }
      assertThat(ours.greaterThan(a, null)).as("null compares false").isFalse();
    }
  }
}
