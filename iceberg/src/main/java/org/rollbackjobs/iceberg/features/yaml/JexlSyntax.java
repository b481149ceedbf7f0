package org.rollbackjobs.iceberg.features.yaml;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.jexl3.JexlFeatures;
import org.apache.commons.jexl3.JexlInfo;
import org.apache.commons.jexl3.internal.Debugger;
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
import org.rollbackjobs.iceberg.features.yaml.Syntax.BinaryOp;
import org.rollbackjobs.iceberg.features.yaml.Syntax.UnaryOp;

/**
 * The one class that uses JEXL's parser ({@code org.apache.commons.jexl3.parser}, {@code .internal}), which is
 * not JEXL's public API and may change in any release: it parses an expression with JEXL's parser and
 * translates the tree into {@link Syntax}, which is all {@link ExpressionCompiler} and {@link DoubleFormulas}
 * see. JEXL's public API has no parse tree, and the compilers must read what JEXL parses (precedence, literal
 * types), not a second grammar.
 *
 * <p>Written against JEXL {@value #WRITTEN_FOR}. Node classes are matched exactly (not by {@code instanceof}),
 * so a node kind a later JEXL adds, subclass or not, is refused rather than misread. {@code JexlSyntaxTest}
 * fails when the JEXL on the class path is another version, and when any other main class imports JEXL's
 * parser or internals.
 */
final class JexlSyntax {
  /** The JEXL version this translation was written and checked against. */
  static final String WRITTEN_FOR = "3.4.0";

  /** A construct outside the compiled subset: the expression is left to JEXL's interpreter. */
  static final class UnsupportedSyntax extends RuntimeException {
    UnsupportedSyntax(String message) {
      super(message);
    }
  }

  private JexlSyntax() {}

  /**
   * The tree of {@code source}, parsed by JEXL's parser with {@code features}.
   *
   * @throws UnsupportedSyntax when it holds a construct {@link Syntax} does not model (the message names it)
   * @throws RuntimeException JEXL's own exception when JEXL cannot parse it
   */
  static Syntax parse(String source, JexlFeatures features) {
    ASTJexlScript script = new Parser(new StringProvider(source))
        .parse(new JexlInfo("expression", 1, 1), features, source, null);
    if (script.jjtGetNumChildren() != 1) {
      throw new UnsupportedSyntax("not one expression but " + script.jjtGetNumChildren() + " statements: '"
          + source + "'");
    }
    return translate(script.jjtGetChild(0));
  }

  /** The version of JEXL on the class path, from its jar's manifest; null when unknown. */
  static String jexlVersion() {
    return Parser.class.getPackage().getImplementationVersion();
  }

  private static Syntax translate(JexlNode n) {
    Class<?> kind = n.getClass();
    int children = n.jjtGetNumChildren();
    if (kind == ASTIdentifier.class && children == 0) {
      ASTIdentifier id = (ASTIdentifier) n;
      if (id.getSymbol() >= 0) { // a local variable or parameter, not a name of the row
        throw unsupported("local variable", n);
      }
      return new Syntax.Name(id.getName());
    }
    if (kind == ASTNumberLiteral.class && children == 0) {
      return new Syntax.Literal(((ASTNumberLiteral) n).getLiteral());
    }
    if (kind == ASTStringLiteral.class && children == 0) {
      return new Syntax.Literal(((ASTStringLiteral) n).getLiteral());
    }
    if (kind == ASTNullLiteral.class && children == 0) {
      return new Syntax.Literal(null);
    }
    if (kind == ASTTrueNode.class && children == 0) {
      return new Syntax.Literal(Boolean.TRUE);
    }
    if (kind == ASTFalseNode.class && children == 0) {
      return new Syntax.Literal(Boolean.FALSE);
    }
    if (kind == ASTReferenceExpression.class && children == 1) { // (x)
      return translate(n.jjtGetChild(0));
    }
    if (kind == ASTUnaryMinusNode.class && children == 1) {
      return new Syntax.Unary(UnaryOp.NEGATE, translate(n.jjtGetChild(0)));
    }
    if (kind == ASTNotNode.class && children == 1) {
      return new Syntax.Unary(UnaryOp.NOT, translate(n.jjtGetChild(0)));
    }
    if (kind == ASTTernaryNode.class && children == 3) {
      return new Syntax.Ternary(translate(n.jjtGetChild(0)), translate(n.jjtGetChild(1)),
          translate(n.jjtGetChild(2)));
    }
    if (kind == ASTTernaryNode.class && children == 2) { // a ?: b
      return new Syntax.Elvis(translate(n.jjtGetChild(0)), translate(n.jjtGetChild(1)));
    }
    if (kind == ASTFunctionNode.class) {
      return call(n);
    }
    BinaryOp op = binary(kind);
    if (op != null && children == 2) {
      return new Syntax.Binary(op, translate(n.jjtGetChild(0)), translate(n.jjtGetChild(1)));
    }
    throw unsupported(kind.getSimpleName() + (op != null ? " of " + children + " operands" : ""), n);
  }

  private static BinaryOp binary(Class<?> kind) {
    if (kind == ASTAddNode.class) {
      return BinaryOp.ADD;
    } else if (kind == ASTSubNode.class) {
      return BinaryOp.SUBTRACT;
    } else if (kind == ASTMulNode.class) {
      return BinaryOp.MULTIPLY;
    } else if (kind == ASTDivNode.class) {
      return BinaryOp.DIVIDE;
    } else if (kind == ASTModNode.class) {
      return BinaryOp.MOD;
    } else if (kind == ASTEQNode.class) {
      return BinaryOp.EQ;
    } else if (kind == ASTNENode.class) {
      return BinaryOp.NE;
    } else if (kind == ASTLTNode.class) {
      return BinaryOp.LT;
    } else if (kind == ASTLENode.class) {
      return BinaryOp.LE;
    } else if (kind == ASTGTNode.class) {
      return BinaryOp.GT;
    } else if (kind == ASTGENode.class) {
      return BinaryOp.GE;
    } else if (kind == ASTAndNode.class) {
      return BinaryOp.AND;
    } else if (kind == ASTOrNode.class) {
      return BinaryOp.OR;
    } else if (kind == ASTNullpNode.class) {
      return BinaryOp.NULL_COALESCE;
    }
    return null;
  }

  /** {@code ns:f(args)}; a function without a namespace (or a method, or a lambda call) is refused. */
  private static Syntax call(JexlNode n) {
    if (n.jjtGetNumChildren() != 2 || n.jjtGetChild(0).getClass() != ASTNamespaceIdentifier.class
        || n.jjtGetChild(1).getClass() != ASTArguments.class) {
      throw unsupported("function call without a namespace", n);
    }
    ASTNamespaceIdentifier name = (ASTNamespaceIdentifier) n.jjtGetChild(0);
    if (name.getNamespace() == null || name.getName() == null) {
      throw unsupported("function call without a namespace", n);
    }
    JexlNode arguments = n.jjtGetChild(1);
    List<Syntax> args = new ArrayList<>(arguments.jjtGetNumChildren());
    for (int i = 0; i < arguments.jjtGetNumChildren(); i++) {
      args.add(translate(arguments.jjtGetChild(i)));
    }
    return new Syntax.Call(name.getNamespace(), name.getName(), args);
  }

  private static UnsupportedSyntax unsupported(String construct, JexlNode n) {
    String text;
    try {
      text = new Debugger().data(n);
    } catch (RuntimeException e) {
      text = "?";
    }
    return new UnsupportedSyntax("not in the compiled subset: " + construct + " '" + text + "'");
  }
}
