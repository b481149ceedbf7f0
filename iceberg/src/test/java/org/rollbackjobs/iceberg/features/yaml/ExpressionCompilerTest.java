package org.rollbackjobs.iceberg.features.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The compiled closures give exactly what JEXL's interpreter gives, values and errors alike. */
class ExpressionCompilerTest {
  private static final Map<String, Integer> NAMES = Map.of("a", 0, "b", 1, "s", 2, "t", 3, "f", 4);
  private static final List<String> COMPILED = List.of(
      "a > 10000.0 ? 10000.0 : a", "math:min(a, 10000.0)", "math:max(a, b)", "math:abs(a)", "math:log(b)",
      "(a + b) * -b", "a - b / 2", "a % 3", "a * 2 + 1", "-a", "a == b", "a != b", "a < b", "a <= b", "a >= 1000.0",
      "s == 'food'", "s != null && a > 5", "f || a < 0", "!f", "a ?: b", "a ?? 0.0", "s ?? 'none'",
      "s == t", "f && s == 'x'", "a > 1 ? s : t", "1 + 2 * 3", "b / 0", "s + t", "true", "null");
  private static final List<String> INTERPRETED = List.of("size(s)", "s =~ 'fo.*'", "s.length()", "[a, b]");

  @Test
  void compiledExpressionsMatchTheInterpreterOnRandomRows() {
    Random random = new Random(7);
    for (String source : COMPILED) {
      Expression expression = Expression.parse(source, NAMES, "test");
      assertThat(expression.isCompiled()).as(source).isTrue();
      for (int i = 0; i < 500; i++) {
        Object[] row = {number(random), number(random), text(random), text(random),
            random.nextInt(4) == 0 ? null : random.nextBoolean()};
        assertThat(outcome(() -> expression.bind(row.clone()).evaluate()))
            .as("%s on %s", source, List.of(java.util.Arrays.toString(row)))
            .isEqualTo(outcome(() -> expression.interpret(row.clone())));
      }
    }
  }

  @Test
  void expressionsOutsideTheSubsetAreInterpreted() {
    for (String source : INTERPRETED) {
      Expression expression = Expression.parse(source, NAMES, "test");
      assertThat(expression.isCompiled()).as(source).isFalse();
      Object[] row = {1.0, 2.0, "food", "x", true};
      assertThat(expression.bind(row).evaluate()).as(source).isEqualTo(expression.interpret(row));
    }
  }

  /** The result and its class, or the fact that it failed. */
  private static List<Object> outcome(java.util.function.Supplier<Object> evaluation) {
    try {
      Object value = evaluation.get();
      List<Object> result = new ArrayList<>();
      result.add(value);
      result.add(value == null ? null : value.getClass());
      return result;
    } catch (RuntimeException e) {
      return List.of("failed");
    }
  }

  private static Object number(Random random) {
    switch (random.nextInt(6)) {
      case 0:
        return null;
      case 1:
        return random.nextInt(20_000) - 5_000;
      case 2:
        return (long) random.nextInt(1_000);
      case 3:
        return 0;
      default:
        return random.nextDouble() * 20_000 - 1_000;
    }
  }

  private static Object text(Random random) {
    String[] texts = {null, "food", "x", "", "travel"};
    return texts[random.nextInt(texts.length)];
  }
}
