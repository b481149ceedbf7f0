package org.rollbackjobs.iceberg.features.yaml;

import java.util.Map;
import org.apache.commons.jexl3.JexlArithmetic;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.JexlFeatures;
import org.apache.commons.jexl3.JexlInfo;
import org.apache.commons.jexl3.introspection.JexlMethod;
import org.apache.commons.jexl3.parser.ASTAddNode;
import org.apache.commons.jexl3.parser.ASTAndNode;
import org.apache.commons.jexl3.parser.ASTArguments;
import org.apache.commons.jexl3.parser.ASTDivNode;
import org.apache.commons.jexl3.parser.ASTEQNode;
import org.apache.commons.jexl3.parser.ASTFalseNode;
import org.apache.commons.jexl3.parser.ASTFunctionNode;
import org.apache.commons.jexl3.parser.ASTGENode;
import org.apache.commons.jexl3.parser.ASTGTNode;
import org.apache.commons.jexl3.parser.ASTIdentifier;
import org.apache.commons.jexl3.parser.ASTJexlScript;
import org.apache.commons.jexl3.parser.ASTLENode;
import org.apache.commons.jexl3.parser.ASTLTNode;
import org.apache.commons.jexl3.parser.ASTModNode;
import org.apache.commons.jexl3.parser.ASTMulNode;
import org.apache.commons.jexl3.parser.ASTNENode;
import org.apache.commons.jexl3.parser.ASTNamespaceIdentifier;
import org.apache.commons.jexl3.parser.ASTNotNode;
import org.apache.commons.jexl3.parser.ASTNullLiteral;
import org.apache.commons.jexl3.parser.ASTNullpNode;
import org.apache.commons.jexl3.parser.ASTNumberLiteral;
import org.apache.commons.jexl3.parser.ASTOrNode;
import org.apache.commons.jexl3.parser.ASTReferenceExpression;
import org.apache.commons.jexl3.parser.ASTStringLiteral;
import org.apache.commons.jexl3.parser.ASTSubNode;
import org.apache.commons.jexl3.parser.ASTTernaryNode;
import org.apache.commons.jexl3.parser.ASTTrueNode;
import org.apache.commons.jexl3.parser.ASTUnaryMinusNode;
import org.apache.commons.jexl3.parser.JexlNode;
import org.apache.commons.jexl3.parser.Parser;
import org.apache.commons.jexl3.parser.StringProvider;

/**
 * Turns the common subset of JEXL expressions (names, literals, arithmetic, comparisons, logic, ternaries,
 * {@code ??} and {@code math:} functions) into a tree of closures over the row's value array, so that a row
 * costs a few nanoseconds instead of a JEXL interpreter run (about 120 ns: enough to halve a recompute's
 * throughput). The closures call the engine's own {@link JexlArithmetic} and method resolution, so results are
 * JEXL's (checked against the interpreter in the tests). Anything outside the subset returns null and is left
 * to the interpreter. The parser is JEXL's; nothing is parsed here.
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
      JexlNode root = parse(source, features);
      return root == null ? null : new ExpressionCompiler(bindings).node(root);
    } catch (RuntimeException unsupported) {
      return null;
    }
  }

  /** The expression's one node, parsed by JEXL's parser; null for a script of several statements. */
  static JexlNode parse(String source, JexlFeatures features) {
    ASTJexlScript script = new Parser(new StringProvider(source))
        .parse(new JexlInfo("expression", 1, 1), features, source, null);
    return script.jjtGetNumChildren() == 1 ? script.jjtGetChild(0) : null;
  }

  private Node node(JexlNode n) {
    if (n instanceof ASTIdentifier id) {
      Integer slot = bindings.get(id.getName());
      if (slot == null || id.getSymbol() >= 0) {
        return null;
      }
      int s = slot;
      return values -> values[s];
    }
    if (n instanceof ASTNumberLiteral literal) {
      Object value = literal.getLiteral();
      return values -> value;
    }
    if (n instanceof ASTStringLiteral literal) {
      Object value = literal.getLiteral();
      return values -> value;
    }
    if (n instanceof ASTNullLiteral) {
      return values -> null;
    }
    if (n instanceof ASTTrueNode) {
      return values -> Boolean.TRUE;
    }
    if (n instanceof ASTFalseNode) {
      return values -> Boolean.FALSE;
    }
    if (n instanceof ASTReferenceExpression && n.jjtGetNumChildren() == 1) {
      return node(n.jjtGetChild(0));
    }
    if (n instanceof ASTUnaryMinusNode && n.jjtGetNumChildren() == 1) {
      Node x = node(n.jjtGetChild(0));
      return x == null ? null : values -> ARITHMETIC.negate(x.eval(values));
    }
    if (n instanceof ASTNotNode && n.jjtGetNumChildren() == 1) {
      Node x = node(n.jjtGetChild(0));
      return x == null ? null : values -> ARITHMETIC.not(x.eval(values));
    }
    if (n instanceof ASTTernaryNode) {
      return ternary(n);
    }
    if (n instanceof ASTFunctionNode) {
      return function(n);
    }
    if (n.jjtGetNumChildren() != 2) {
      return null;
    }
    Node l = node(n.jjtGetChild(0));
    Node r = node(n.jjtGetChild(1));
    if (l == null || r == null) {
      return null;
    }
    if (n instanceof ASTAddNode) {
      return values -> ARITHMETIC.add(l.eval(values), r.eval(values));
    } else if (n instanceof ASTSubNode) {
      return values -> ARITHMETIC.subtract(l.eval(values), r.eval(values));
    } else if (n instanceof ASTMulNode) {
      return values -> ARITHMETIC.multiply(l.eval(values), r.eval(values));
    } else if (n instanceof ASTDivNode) {
      return values -> ARITHMETIC.divide(l.eval(values), r.eval(values));
    } else if (n instanceof ASTModNode) {
      return values -> ARITHMETIC.mod(l.eval(values), r.eval(values));
    } else if (n instanceof ASTEQNode) {
      return values -> ARITHMETIC.equals(l.eval(values), r.eval(values));
    } else if (n instanceof ASTNENode) {
      return values -> !ARITHMETIC.equals(l.eval(values), r.eval(values));
    } else if (n instanceof ASTLTNode) {
      return values -> ARITHMETIC.lessThan(l.eval(values), r.eval(values));
    } else if (n instanceof ASTLENode) {
      return values -> ARITHMETIC.lessThanOrEqual(l.eval(values), r.eval(values));
    } else if (n instanceof ASTGTNode) {
      return values -> ARITHMETIC.greaterThan(l.eval(values), r.eval(values));
    } else if (n instanceof ASTGENode) {
      return values -> ARITHMETIC.greaterThanOrEqual(l.eval(values), r.eval(values));
    } else if (n instanceof ASTAndNode) {
      return values -> ARITHMETIC.toBoolean(l.eval(values)) && ARITHMETIC.toBoolean(r.eval(values));
    } else if (n instanceof ASTOrNode) {
      return values -> ARITHMETIC.toBoolean(l.eval(values)) || ARITHMETIC.toBoolean(r.eval(values));
    } else if (n instanceof ASTNullpNode) {
      return values -> {
        Object value = l.eval(values);
        return value != null ? value : r.eval(values);
      };
    }
    return null;
  }

  private Node ternary(JexlNode n) {
    Node condition = node(n.jjtGetChild(0));
    if (condition == null) {
      return null;
    }
    if (n.jjtGetNumChildren() == 2) { // a ?: b
      Node otherwise = node(n.jjtGetChild(1));
      return otherwise == null ? null : values -> {
        Object value = condition.eval(values);
        return ARITHMETIC.toBoolean(value) ? value : otherwise.eval(values);
      };
    }
    if (n.jjtGetNumChildren() != 3) {
      return null;
    }
    Node then = node(n.jjtGetChild(1));
    Node otherwise = node(n.jjtGetChild(2));
    if (then == null || otherwise == null) {
      return null;
    }
    return values -> ARITHMETIC.toBoolean(condition.eval(values)) ? then.eval(values) : otherwise.eval(values);
  }

  /** {@code math:name(args)}: Math's static method, resolved by JEXL for the argument types, cached per call site. */
  private Node function(JexlNode n) {
    if (n.jjtGetNumChildren() != 2 || !(n.jjtGetChild(0) instanceof ASTNamespaceIdentifier name)
        || !"math".equals(name.getNamespace()) || !(n.jjtGetChild(1) instanceof ASTArguments arguments)) {
      return null;
    }
    Node[] args = new Node[arguments.jjtGetNumChildren()];
    for (int i = 0; i < args.length; i++) {
      args[i] = node(arguments.jjtGetChild(i));
      if (args[i] == null) {
        return null;
      }
    }
    return new MathCall(name.getName(), args);
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
