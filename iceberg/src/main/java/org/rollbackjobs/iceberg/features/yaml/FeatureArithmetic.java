package org.rollbackjobs.iceberg.features.yaml;

import java.math.MathContext;
import org.apache.commons.jexl3.JexlArithmetic;
import org.apache.commons.jexl3.JexlOperator;

/**
 * JEXL arithmetic with SQL-like nulls, because source rows have missing values: arithmetic with a null operand
 * gives null, and ordering comparisons with a null operand are false ({@code ==} and {@code !=} compare nulls
 * as JEXL does). Everything else is JEXL's strict arithmetic.
 */
public class FeatureArithmetic extends JexlArithmetic {
  public FeatureArithmetic() {
    super(true);
  }

  /** JEXL derives per-evaluation arithmetic through this constructor (see {@link JexlArithmetic#options}). */
  public FeatureArithmetic(boolean strict, MathContext context, int scale) {
    super(strict, context, scale);
  }

  /** Null operands of arithmetic reach the methods below (JEXL would refuse them first for a strict operator). */
  @Override
  public boolean isStrict(JexlOperator operator) {
    switch (operator) {
      case ADD:
      case SUBTRACT:
      case MULTIPLY:
      case DIVIDE:
      case MOD:
      case NEGATE:
      case NOT:
      case LT:
      case LTE:
      case GT:
      case GTE:
        return false;
      default:
        return super.isStrict(operator);
    }
  }

  /** A null condition is false (SQL's unknown), rather than an error. */
  @Override
  public boolean toBoolean(Object value) {
    return value != null && super.toBoolean(value);
  }

  @Override
  public Object add(Object left, Object right) {
    return left == null || right == null ? null : super.add(left, right);
  }

  @Override
  public Object subtract(Object left, Object right) {
    return left == null || right == null ? null : super.subtract(left, right);
  }

  @Override
  public Object multiply(Object left, Object right) {
    return left == null || right == null ? null : super.multiply(left, right);
  }

  @Override
  public Object divide(Object left, Object right) {
    return left == null || right == null ? null : super.divide(left, right);
  }

  @Override
  public Object mod(Object left, Object right) {
    return left == null || right == null ? null : super.mod(left, right);
  }

  @Override
  public Object not(Object value) {
    return value == null ? Boolean.TRUE : super.not(value);
  }

  @Override
  public Object negate(Object value) {
    return value == null ? null : super.negate(value);
  }

  @Override
  public boolean lessThan(Object left, Object right) {
    if (left instanceof Double l && right instanceof Double r) {
      return compareDoubles(l, r) < 0;
    }
    return left != null && right != null && super.lessThan(left, right);
  }

  @Override
  public boolean lessThanOrEqual(Object left, Object right) {
    if (left instanceof Double l && right instanceof Double r) {
      return compareDoubles(l, r) <= 0;
    }
    return left != null && right != null && super.lessThanOrEqual(left, right);
  }

  @Override
  public boolean greaterThan(Object left, Object right) {
    if (left instanceof Double l && right instanceof Double r) {
      return compareDoubles(l, r) > 0;
    }
    return left != null && right != null && super.greaterThan(left, right);
  }

  @Override
  public boolean greaterThanOrEqual(Object left, Object right) {
    if (left instanceof Double l && right instanceof Double r) {
      return compareDoubles(l, r) >= 0;
    }
    return left != null && right != null && super.greaterThanOrEqual(left, right);
  }

  /**
   * JEXL's comparison of two doubles (NaN below every number and -0.0 below 0.0, as in JEXL), without its generic type dispatch: a
   * comparison in a pipeline expression runs once per source row. FeatureArithmeticTest holds it to JEXL's own
   * result.
   */
  static int compareDoubles(double left, double right) {
    if (Double.isNaN(left)) {
      return Double.isNaN(right) ? 0 : -1;
    } else if (Double.isNaN(right)) {
      return 1;
    }
    return Double.compare(left, right); // -0.0 below 0.0, as in JEXL
  }
}
