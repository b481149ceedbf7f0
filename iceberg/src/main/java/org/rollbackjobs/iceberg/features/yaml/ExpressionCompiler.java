package org.rollbackjobs.iceberg.features.yaml;

import java.util.Map;
import org.apache.commons.jexl3.JexlArithmetic;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.JexlFeatures;
import org.apache.commons.jexl3.introspection.JexlMethod;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Binary;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Call;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Elvis;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Literal;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Name;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Ternary;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Unary;

/**
 * Turns the common subset of JEXL expressions (names, literals, arithmetic, comparisons, logic, ternaries,
 * {@code ??} and {@code math:} functions) into a tree of closures over the row's value array, so that a row
 * costs a few nanoseconds instead of a JEXL interpreter run (about 120 ns: enough to halve a recompute's
 * throughput). The closures call the engine's own {@link JexlArithmetic} and method resolution, so results are
 * JEXL's (checked against the interpreter in the tests). Anything outside the subset returns null and is left
 * to the interpreter. The parser is JEXL's, seen through {@link JexlSyntax}; nothing is parsed here.
 */
final class ExpressionCompiler {
  /** One compiled node. */
  @FunctionalInterface
  interface Node {
    Object eval(Object[] values);
  }

  private static final JexlArithmetic ARITHMETIC = Expressions.JEXL.getArithmetic();

  private final Map<String, Integer> bindings;

  private ExpressionCompiler(Map<String, Integer> bindings) {
    this.bindings = bindings;
  }

  /** The compiled expression, or null when it uses something outside the compiled subset. */
  static Node compile(String source, Map<String, Integer> bindings, JexlFeatures features) {
    try {
      return new ExpressionCompiler(bindings).node(JexlSyntax.parse(source, features));
    } catch (RuntimeException unsupported) { // JexlSyntax.UnsupportedSyntax, or JEXL refusing the text
      return null;
    }
  }

  private Node node(Syntax n) {
    if (n instanceof Name name) {
      Integer slot = bindings.get(name.name());
      if (slot == null) {
        return null;
      }
      int s = slot;
      return values -> values[s];
    }
    if (n instanceof Literal literal) {
      Object value = literal.value();
      return values -> value;
    }
    if (n instanceof Unary unary) {
      Node x = node(unary.operand());
      if (x == null) {
        return null;
      }
      switch (unary.op()) {
        case NEGATE:
          return values -> ARITHMETIC.negate(x.eval(values));
        case NOT:
          return values -> ARITHMETIC.not(x.eval(values));
        default:
          return null;
      }
    }
    if (n instanceof Ternary ternary) {
      Node condition = node(ternary.condition());
      Node then = node(ternary.then());
      Node otherwise = node(ternary.otherwise());
      if (condition == null || then == null || otherwise == null) {
        return null;
      }
      return values -> ARITHMETIC.toBoolean(condition.eval(values)) ? then.eval(values) : otherwise.eval(values);
    }
    if (n instanceof Elvis elvis) {
      Node condition = node(elvis.value());
      Node otherwise = node(elvis.otherwise());
      return condition == null || otherwise == null ? null : values -> {
        Object value = condition.eval(values);
        return ARITHMETIC.toBoolean(value) ? value : otherwise.eval(values);
      };
    }
    if (n instanceof Call call) {
      return function(call);
    }
    if (n instanceof Binary binary) {
      return binary(binary);
    }
    return null;
  }

  private Node binary(Binary n) {
    Node l = node(n.left());
    Node r = node(n.right());
    if (l == null || r == null) {
      return null;
    }
    switch (n.op()) {
      case ADD:
        return values -> ARITHMETIC.add(l.eval(values), r.eval(values));
      case SUBTRACT:
        return values -> ARITHMETIC.subtract(l.eval(values), r.eval(values));
      case MULTIPLY:
        return values -> ARITHMETIC.multiply(l.eval(values), r.eval(values));
      case DIVIDE:
        return values -> ARITHMETIC.divide(l.eval(values), r.eval(values));
      case MOD:
        return values -> ARITHMETIC.mod(l.eval(values), r.eval(values));
      case EQ:
        return values -> ARITHMETIC.equals(l.eval(values), r.eval(values));
      case NE:
        return values -> !ARITHMETIC.equals(l.eval(values), r.eval(values));
      case LT:
        return values -> ARITHMETIC.lessThan(l.eval(values), r.eval(values));
      case LE:
        return values -> ARITHMETIC.lessThanOrEqual(l.eval(values), r.eval(values));
      case GT:
        return values -> ARITHMETIC.greaterThan(l.eval(values), r.eval(values));
      case GE:
        return values -> ARITHMETIC.greaterThanOrEqual(l.eval(values), r.eval(values));
      case AND:
        return values -> ARITHMETIC.toBoolean(l.eval(values)) && ARITHMETIC.toBoolean(r.eval(values));
      case OR:
        return values -> ARITHMETIC.toBoolean(l.eval(values)) || ARITHMETIC.toBoolean(r.eval(values));
      case NULL_COALESCE:
        return values -> {
          Object value = l.eval(values);
          return value != null ? value : r.eval(values);
        };
      default:
        return null;
    }
  }

  /** {@code math:name(args)}: Math's static method, resolved by JEXL for the argument types, cached per call site. */
  private Node function(Call call) {
    if (!"math".equals(call.namespace())) {
      return null;
    }
    Node[] args = new Node[call.args().size()];
    for (int i = 0; i < args.length; i++) {
      args[i] = node(call.args().get(i));
      if (args[i] == null) {
        return null;
      }
    }
    return new MathCall(call.function(), args);
  }

  private static final class MathCall implements Node {
    private final String method;
    private final Node[] args;
    private volatile JexlMethod resolved;

    MathCall(String method, Node[] args) {
      this.method = method;
      this.args = args;
    }

    @Override
    public Object eval(Object[] values) {
      Object[] argv = new Object[args.length];
      for (int i = 0; i < argv.length; i++) {
        argv[i] = args[i].eval(values);
      }
      JexlMethod cached = resolved;
      if (cached != null) {
        Object result = cached.tryInvoke(method, Math.class, argv);
        if (result != JexlEngine.TRY_FAILED) {
          return result;
        }
      }
      JexlMethod found = Expressions.JEXL.getUberspect().getMethod(Math.class, method, argv);
      if (found == null) {
        return null; // as the interpreter (not strict): no math function takes these arguments (a null, say)
      }
      resolved = found;
      try {
        return found.invoke(Math.class, argv);
      } catch (Exception e) {
        throw new IllegalStateException("math:" + method + " failed: " + e.getMessage(), e);
      }
    }
  }
}
