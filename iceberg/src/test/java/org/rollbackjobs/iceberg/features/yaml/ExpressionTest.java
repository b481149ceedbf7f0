package org.rollbackjobs.iceberg.features.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.iceberg.BadInputException;

class ExpressionTest {
  private static final Map<String, Integer> NAMES = Map.of("amount", 0, "category", 1, "n", 2);

  private static Object eval(String source, Object amount, Object category, Object n) {
    Object[] values = {amount, category, n};
    return Expression.parse(source, NAMES, "test").bind(values).evaluate();
  }

  @Test
  void evaluatesArithmeticComparisonsTernariesAndMathFunctions() {
    assertThat(eval("amount > 10000.0 ? 10000.0 : amount", 12_500.0, null, null)).isEqualTo(10_000.0);
    assertThat(eval("amount > 10000.0 ? 10000.0 : amount", 99.5, null, null)).isEqualTo(99.5);
    assertThat(eval("math:min(amount, 10000.0)", 12_500.0, null, null)).isEqualTo(10_000.0);
    assertThat(eval("amount * 2 + n", 1.5, null, 3L)).isEqualTo(6.0);
    assertThat(eval("category == 'food' && amount >= 10", 10.0, "food", null)).isEqualTo(true);
    assertThat(eval("amount", 7.0, null, null)).isEqualTo(7.0);
  }

  @Test
  void nullsPropagateThroughArithmeticAndMakeComparisonsFalse() {
    assertThat(eval("amount > 10000.0 ? 10000.0 : amount", null, null, null)).isNull();
    assertThat(eval("amount * 2", null, null, null)).isNull();
    assertThat(eval("amount + n", 1.0, null, null)).isNull();
    assertThat(eval("amount < 5", null, null, null)).isEqualTo(false);
    assertThat(eval("amount != null", null, null, null)).isEqualTo(false);
    assertThat(eval("amount != null", 1.0, null, null)).isEqualTo(true);
    assertThat(eval("category == null", null, null, null)).isEqualTo(true);
  }

  @Test
  void unknownNamesAndInvalidSyntaxAreRefusedWhenTheDefinitionIsLoaded() {
    assertThatThrownBy(() -> Expression.parse("amout * 2", NAMES, "aggregates.x"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("aggregates.x").hasMessageContaining("amout").hasMessageContaining("known: amount, category, n");
    assertThatThrownBy(() -> Expression.parse("amount >", NAMES, "columns.y"))
        .isInstanceOf(BadInputException.class).hasMessageContaining("columns.y").hasMessageContaining("invalid expression");
    // statements, assignments and object creation are not expressions of a definition
    assertThatThrownBy(() -> Expression.parse("amount = 3", NAMES, "z")).isInstanceOf(BadInputException.class);
    assertThatThrownBy(() -> Expression.parse("new('java.io.File', '/')", NAMES, "z")).isInstanceOf(BadInputException.class);
  }
}
