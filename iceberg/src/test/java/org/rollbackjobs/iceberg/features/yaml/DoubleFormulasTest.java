package org.rollbackjobs.iceberg.features.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.iceberg.features.ColumnarPipeline.DoubleFormula;

/** An unboxed formula gives, bit for bit (a NaN is a NaN), the double the compiled closures (held to JEXL's) give. */
class DoubleFormulasTest {
  private static final Map<String, Integer> NAMES = Map.of("a", 0, "b", 1, "s", 2);
  private static final Map<String, Integer> DOUBLES = Map.of("a", 0, "b", 1);
  private static final List<String> FORMULAS = List.of(
      "a > 10000.0 ? 10000.0 : a", "a * 2.0", "(a + b) * -b", "a - b", "-a", "-(a - 1.5)",
      "a < b ? a : b", "a <= b ? 1.0 : 0.0", "a >= 0.0 && b > 0.0 ? a * b : 0.0", "!(a > b) || a < 0.0 ? b : a",
      "math:min(a, 10000.0)", "math:max(a, b)", "math:abs(a - b)");
  private static final List<String> LEFT_TO_THE_CLOSURES = List.of(
      "a / b", "a % b", "a == b ? 1.0 : 0.0", "a * 2", "a > 1 ? a : 0.0", "a ?: b", "a ?? b", "s == 'x' ? a : b",
      "math:log(a)", "math:pow(a, b)", "a", "size(s)");
  private static final double[] SPECIAL = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, 10_000.0, 1.5, -1.5};

  @Test
  void formulasGiveTheClosuresDoubles() {
    Random random = new Random(7);
    for (String source : FORMULAS) {
      Expression expression = Expression.parse(source, NAMES, "test");
      DoubleFormula formula = expression.doubleFormula(DOUBLES);
      assertThat(formula).as(source).isNotNull();
      for (int i = 0; i < 2_000; i++) {
        double a = number(random);
        double b = number(random);
        Object closures = expression.bind(new Object[] {a, b, "x"}).evaluate();
        double[][] columns = {{0, a}, {0, b}};
        assertThat(Double.doubleToLongBits(formula.eval(columns, 1))).as("%s with a=%s, b=%s", source, a, b)
            .isEqualTo(Double.doubleToLongBits((Double) closures)); // any NaN as one, -0.0 apart from 0.0
      }
    }
  }

  @Test
  void divisionEqualityIntegersAndTheRestAreLeftToTheClosures() {
    for (String source : LEFT_TO_THE_CLOSURES) {
      assertThat(Expression.parse(source, NAMES, "test").doubleFormula(DOUBLES)).as(source).isNull();
    }
    // a name that is not a double input
    assertThat(Expression.parse("a > 1.0 ? a : b", NAMES, "test").doubleFormula(Map.of("a", 0))).isNull();
  }

  private static double number(Random random) {
    return random.nextInt(4) == 0 ? SPECIAL[random.nextInt(SPECIAL.length)]
        : (random.nextDouble() - 0.3) * Math.pow(10, random.nextInt(8));
  }
}
