package org.rollbackjobs.iceberg.features.yaml;

import java.util.Map;
import org.apache.commons.jexl3.JexlFeatures;
import org.rollbackjobs.iceberg.features.ColumnarPipeline.DoubleFormula;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Binary;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Call;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Literal;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Name;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Ternary;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Unary;
import org.rollbackjobs.iceberg.features.yaml.Syntax.UnaryOp;

/**
 * Compiles the arithmetic of doubles among the compiled subset ({@link ExpressionCompiler}) to unboxed
 * formulas over a batch's double columns: double inputs and literals, {@code + - *}, unary minus, ordering
 * comparisons, {@code && || !}, ternaries, {@code math:min}, {@code math:max} and {@code math:abs}. With every
 * operand a Double, JEXL (with {@link FeatureArithmetic}) computes exactly these doubles; division, equality and
 * integer literals, whose JEXL rules differ from Java's, are left to the closures, and so is any row with a null
 * input (the engine's part). {@code DoubleFormulasTest} holds each formula to the closures bit for bit.
 */
final class DoubleFormulas {
  /** A compiled condition. */
  @FunctionalInterface
  private interface Condition {
    boolean test(double[][] columns, int row);
  }

  private final Map<String, Integer> doubles;

  private DoubleFormulas(Map<String, Integer> doubles) {
    this.doubles = doubles;
  }

  /**
   * The formula of {@code source}, or null when it is outside the subset or reads a name not in {@code doubles}
   * (name to input column, for the inputs of type double).
   */
  static DoubleFormula compile(String source, Map<String, Integer> doubles, JexlFeatures features) {
    Syntax root;
    try {
      root = JexlSyntax.parse(source, features);
    } catch (JexlSyntax.UnsupportedSyntax unsupported) {
      return null;
    }
    return new DoubleFormulas(doubles).value(root);
  }

  private DoubleFormula value(Syntax n) {
    if (n instanceof Name name) {
      Integer column = doubles.get(name.name());
      if (column == null) {
        return null;
      }
      int c = column;
      return (columns, row) -> columns[c][row];
    }
    if (n instanceof Literal literal && literal.value() instanceof Double d) {
      double value = d;
      return (columns, row) -> value;
    }
    if (n instanceof Unary unary && unary.op() == UnaryOp.NEGATE) {
      DoubleFormula x = value(unary.operand());
      return x == null ? null : (columns, row) -> -x.eval(columns, row);
    }
    if (n instanceof Ternary ternary) {
      Condition condition = condition(ternary.condition());
      DoubleFormula then = value(ternary.then());
      DoubleFormula otherwise = value(ternary.otherwise());
      return condition == null || then == null || otherwise == null ? null
          : (columns, row) -> condition.test(columns, row) ? then.eval(columns, row) : otherwise.eval(columns, row);
    }
    if (n instanceof Call call) {
      return function(call);
    }
    if (!(n instanceof Binary binary)) {
      return null;
    }
    switch (binary.op()) {
      case ADD:
      case SUBTRACT:
      case MULTIPLY:
        break;
      default:
        return null;
    }
    DoubleFormula l = value(binary.left());
    DoubleFormula r = value(binary.right());
    if (l == null || r == null) {
      return null;
    }
    switch (binary.op()) {
      case ADD:
        return (columns, row) -> l.eval(columns, row) + r.eval(columns, row);
      case SUBTRACT:
        return (columns, row) -> l.eval(columns, row) - r.eval(columns, row);
      default:
        return (columns, row) -> l.eval(columns, row) * r.eval(columns, row);
    }
  }

  private Condition condition(Syntax n) {
    if (n instanceof Unary unary && unary.op() == UnaryOp.NOT) {
      Condition x = condition(unary.operand());
      return x == null ? null : (columns, row) -> !x.test(columns, row);
    }
    if (!(n instanceof Binary binary)) {
      return null;
    }
    switch (binary.op()) {
      case AND:
      case OR: {
        Condition l = condition(binary.left());
        Condition r = condition(binary.right());
        if (l == null || r == null) {
          return null;
        }
        return binary.op() == Syntax.BinaryOp.AND ? (columns, row) -> l.test(columns, row) && r.test(columns, row)
            : (columns, row) -> l.test(columns, row) || r.test(columns, row);
      }
      case LT:
      case LE:
      case GT:
      case GE:
        break;
      default:
        return null;
    }
    DoubleFormula l = value(binary.left());
    DoubleFormula r = value(binary.right());
    if (l == null || r == null) {
      return null;
    }
    // FeatureArithmetic's order of two Doubles (NaN lowest, -0.0 below 0.0), as the closures compare them
    switch (binary.op()) {
      case LT:
        return (columns, row) -> FeatureArithmetic.compareDoubles(l.eval(columns, row), r.eval(columns, row)) < 0;
      case LE:
        return (columns, row) -> FeatureArithmetic.compareDoubles(l.eval(columns, row), r.eval(columns, row)) <= 0;
      case GT:
        return (columns, row) -> FeatureArithmetic.compareDoubles(l.eval(columns, row), r.eval(columns, row)) > 0;
      default:
        return (columns, row) -> FeatureArithmetic.compareDoubles(l.eval(columns, row), r.eval(columns, row)) >= 0;
    }
  }

  /** {@code math:min(x, y)}, {@code math:max(x, y)}, {@code math:abs(x)}: what JEXL resolves for Doubles. */
  private DoubleFormula function(Call call) {
    if (!"math".equals(call.namespace())) {
      return null;
    }
    int count = call.args().size();
    DoubleFormula x = count >= 1 ? value(call.args().get(0)) : null;
    DoubleFormula y = count == 2 ? value(call.args().get(1)) : null;
    if (x == null || (count == 2 && y == null)) {
      return null;
    }
    switch (call.function() + "/" + count) {
      case "min/2":
        return (columns, row) -> Math.min(x.eval(columns, row), y.eval(columns, row));
      case "max/2":
        return (columns, row) -> Math.max(x.eval(columns, row), y.eval(columns, row));
      case "abs/1":
        return (columns, row) -> Math.abs(x.eval(columns, row));
      default:
        return null;
    }
  }
}
