package org.rollbackjobs.iceberg.features.yaml;

import java.util.List;
import java.util.Objects;

/**
 * The project's own tree of a compiled expression: the node kinds {@link ExpressionCompiler} and
 * {@link DoubleFormulas} compile, translated from JEXL's parse tree by {@link JexlSyntax} (the one class that
 * sees JEXL's parser). Immutable; records compare by structure. Built once per expression when a definition is
 * loaded; rows never see it.
 */
sealed interface Syntax {
  /** A constant: a Number as JEXL parsed it (Integer, Long, Double, BigDecimal, ...), a String, a Boolean or null. */
  record Literal(Object value) implements Syntax {}

  /** A name read from the row. */
  record Name(String name) implements Syntax {
    public Name {
      Objects.requireNonNull(name);
    }
  }

  /** {@code -x}, {@code !x}. */
  record Unary(UnaryOp op, Syntax operand) implements Syntax {
    public Unary {
      Objects.requireNonNull(op);
      Objects.requireNonNull(operand);
    }
  }

  /** {@code left op right}. */
  record Binary(BinaryOp op, Syntax left, Syntax right) implements Syntax {
    public Binary {
      Objects.requireNonNull(op);
      Objects.requireNonNull(left);
      Objects.requireNonNull(right);
    }
  }

  /** {@code condition ? then : otherwise}. */
  record Ternary(Syntax condition, Syntax then, Syntax otherwise) implements Syntax {
    public Ternary {
      Objects.requireNonNull(condition);
      Objects.requireNonNull(then);
      Objects.requireNonNull(otherwise);
    }
  }

  /** {@code value ?: otherwise}: value when it is true by JEXL's rules, else otherwise. */
  record Elvis(Syntax value, Syntax otherwise) implements Syntax {
    public Elvis {
      Objects.requireNonNull(value);
      Objects.requireNonNull(otherwise);
    }
  }

  /** {@code namespace:function(args)}, such as {@code math:min(a, b)}. */
  record Call(String namespace, String function, List<Syntax> args) implements Syntax {
    public Call {
      Objects.requireNonNull(namespace);
      Objects.requireNonNull(function);
      args = List.copyOf(args);
    }
  }

  enum UnaryOp {
    /** {@code -x} */
    NEGATE,
    /** {@code !x} */
    NOT
  }

  enum BinaryOp {
    /** {@code +} */
    ADD,
    /** {@code -} */
    SUBTRACT,
    /** {@code *} */
    MULTIPLY,
    /** {@code /} */
    DIVIDE,
    /** {@code %} */
    MOD,
    /** {@code ==} */
    EQ,
    /** {@code !=} */
    NE,
    /** {@code <} */
    LT,
    /** {@code <=} */
    LE,
    /** {@code >} */
    GT,
    /** {@code >=} */
    GE,
    /** {@code &&} */
    AND,
    /** {@code ||} */
    OR,
    /** {@code ??}: left unless it is null, else right */
    NULL_COALESCE
  }
}
