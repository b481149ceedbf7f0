package org.rollbackjobs.iceberg.features.yaml;

import java.util.Map;
import org.apache.commons.jexl3.JexlFeatures;
import org.apache.commons.jexl3.parser.ASTAddNode;
import org.apache.commons.jexl3.parser.ASTAndNode;
import org.apache.commons.jexl3.parser.ASTArguments;
import org.apache.commons.jexl3.parser.ASTFunctionNode;
import org.apache.commons.jexl3.parser.ASTGENode;
import org.apache.commons.jexl3.parser.ASTGTNode;
import org.apache.commons.jexl3.parser.ASTIdentifier;
import org.apache.commons.jexl3.parser.ASTLENode;
import org.apache.commons.jexl3.parser.ASTLTNode;
import org.apache.commons.jexl3.parser.ASTMulNode;
import org.apache.commons.jexl3.parser.ASTNamespaceIdentifier;
import org.apache.commons.jexl3.parser.ASTNotNode;
import org.apache.commons.jexl3.parser.ASTNumberLiteral;
import org.apache.commons.jexl3.parser.ASTOrNode;
import org.apache.commons.jexl3.parser.ASTReferenceExpression;
import org.apache.commons.jexl3.parser.ASTSubNode;
import org.apache.commons.jexl3.parser.ASTTernaryNode;
import org.apache.commons.jexl3.parser.ASTUnaryMinusNode;
import org.apache.commons.jexl3.parser.JexlNode;
import org.rollbackjobs.iceberg.features.ColumnarPipeline.DoubleFormula;

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
    JexlNode root = ExpressionCompiler.parse(source, features);
    return root == null ? null : new DoubleFormulas(doubles).value(root);
  }

  private DoubleFormula value(JexlNode n) {
    if (n instanceof ASTIdentifier id) {
      Integer column = id.getSymbol() >= 0 ? null : doubles.get(id.getName());
      if (column == null) {
        return null;
      }
      int c = column;
      return (columns, row) -> columns[c][row];
    }
    if (n instanceof ASTNumberLiteral literal && literal.getLiteral() instanceof Double d) {
      double value = d;
      return (columns, row) -> value;
    }
    if (n instanceof ASTReferenceExpression && n.jjtGetNumChildren() == 1) {
      return value(n.jjtGetChild(0));
    }
    if (n instanceof ASTUnaryMinusNode && n.jjtGetNumChildren() == 1) {
      DoubleFormula x = value(n.jjtGetChild(0));
      return x == null ? null : (columns, row) -> -x.eval(columns, row);
    }
    if (n instanceof ASTTernaryNode && n.jjtGetNumChildren() == 3) {
      Condition condition = condition(n.jjtGetChild(0));
      DoubleFormula then = value(n.jjtGetChild(1));
      DoubleFormula otherwise = value(n.jjtGetChild(2));
      return condition == null || then == null || otherwise == null ? null
          : (columns, row) -> condition.test(columns, row) ? then.eval(columns, row) : otherwise.eval(columns, row);
    }
    if (n instanceof ASTFunctionNode) {
      return function(n);
    }
    boolean arithmetic = n instanceof ASTAddNode || n instanceof ASTSubNode || n instanceof ASTMulNode;
    if (n.jjtGetNumChildren() != 2 || !arithmetic) {
      return null;
    }
    DoubleFormula l = value(n.jjtGetChild(0));
    DoubleFormula r = value(n.jjtGetChild(1));
    if (l == null || r == null) {
      return null;
    }
    if (n instanceof ASTAddNode) {
      return (columns, row) -> l.eval(columns, row) + r.eval(columns, row);
    }
    if (n instanceof ASTSubNode) {
      return (columns, row) -> l.eval(columns, row) - r.eval(columns, row);
    }
    return (columns, row) -> l.eval(columns, row) * r.eval(columns, row);
  }

  private Condition condition(JexlNode n) {
    if (n instanceof ASTReferenceExpression && n.jjtGetNumChildren() == 1) {
      return condition(n.jjtGetChild(0));
    }
    if (n instanceof ASTNotNode && n.jjtGetNumChildren() == 1) {
      Condition x = condition(n.jjtGetChild(0));
      return x == null ? null : (columns, row) -> !x.test(columns, row);
    }
    if (n.jjtGetNumChildren() != 2) {
      return null;
    }
    if (n instanceof ASTAndNode || n instanceof ASTOrNode) {
      Condition l = condition(n.jjtGetChild(0));
      Condition r = condition(n.jjtGetChild(1));
      if (l == null || r == null) {
        return null;
      }
      return n instanceof ASTAndNode ? (columns, row) -> l.test(columns, row) && r.test(columns, row)
          : (columns, row) -> l.test(columns, row) || r.test(columns, row);
    }
    DoubleFormula l = value(n.jjtGetChild(0));
    DoubleFormula r = value(n.jjtGetChild(1));
    if (l == null || r == null) {
      return null;
    }
    // FeatureArithmetic's order of two Doubles (NaN lowest, -0.0 below 0.0), as the closures compare them
    if (n instanceof ASTLTNode) {
      return (columns, row) -> FeatureArithmetic.compareDoubles(l.eval(columns, row), r.eval(columns, row)) < 0;
    } else if (n instanceof ASTLENode) {
      return (columns, row) -> FeatureArithmetic.compareDoubles(l.eval(columns, row), r.eval(columns, row)) <= 0;
    } else if (n instanceof ASTGTNode) {
      return (columns, row) -> FeatureArithmetic.compareDoubles(l.eval(columns, row), r.eval(columns, row)) > 0;
    } else if (n instanceof ASTGENode) {
      return (columns, row) -> FeatureArithmetic.compareDoubles(l.eval(columns, row), r.eval(columns, row)) >= 0;
    }
    return null;
  }

  /** {@code math:min(x, y)}, {@code math:max(x, y)}, {@code math:abs(x)}: what JEXL resolves for Doubles. */
  private DoubleFormula function(JexlNode n) {
    if (n.jjtGetNumChildren() != 2 || !(n.jjtGetChild(0) instanceof ASTNamespaceIdentifier name)
        || !"math".equals(name.getNamespace()) || !(n.jjtGetChild(1) instanceof ASTArguments arguments)) {
      return null;
    }
    int count = arguments.jjtGetNumChildren();
    DoubleFormula x = count >= 1 ? value(arguments.jjtGetChild(0)) : null;
    DoubleFormula y = count == 2 ? value(arguments.jjtGetChild(1)) : null;
    if (x == null || (count == 2 && y == null)) {
      return null;
    }
    switch (name.getName() + "/" + count) {
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
