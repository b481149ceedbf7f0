package org.rollbackjobs.iceberg.features.yaml;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.commons.jexl3.JexlContext;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlExpression;
import org.apache.commons.jexl3.JexlScript;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.features.ColumnarPipeline;

/**
 * One expression of a YAML definition, bound to the slots of the names it reads in a row's value array
 * (inputs, then derived columns) as they were when it was defined: a column defined later under an input's
 * name does not change what an earlier expression reads. A bare name is read directly; anything else is
 * evaluated by JEXL.
 */
final class Expression {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final String source;
  private final String where;
  private final Map<String, Integer> bindings;
  private final int directPosition;
  private final JexlExpression jexl;
  private final ExpressionCompiler.Node compiled;
  private final int[] reads;

  private Expression(String source, String where, Map<String, Integer> bindings, int directPosition,
      JexlExpression jexl, ExpressionCompiler.Node compiled, int[] reads) {
    this.source = source;
    this.where = where;
    this.bindings = bindings;
    this.directPosition = directPosition;
    this.jexl = jexl;
    this.compiled = compiled;
    this.reads = reads;
  }

  /**
   * Parses {@code source} and checks that every name it reads is in {@code names} (name to value slot).
   * {@code where} says where the expression is, for messages.
   */
  static Expression parse(String source, Map<String, Integer> names, String where) {
    if (source == null || source.isBlank()) {
      throw new BadInputException(where + ": empty expression");
    }
    String text = source.trim();
    Map<String, Integer> bindings = Map.copyOf(names);
    if (NAME.matcher(text).matches() && names.containsKey(text)) {
      return new Expression(text, where, bindings, names.get(text), null, null, new int[] {names.get(text)});
    }
    JexlScript script;
    try {
      script = Expressions.JEXL.createScript(text);
    } catch (JexlException e) {
      throw new BadInputException(where + ": invalid expression '" + text + "': " + e.getMessage(), e);
    }
    Set<String> unknown = new TreeSet<>();
    Set<Integer> read = new TreeSet<>();
    for (List<String> variable : script.getVariables()) {
      if (!names.containsKey(variable.get(0))) {
        unknown.add(variable.get(0));
      } else {
        read.add(names.get(variable.get(0)));
      }
    }
    if (!unknown.isEmpty()) {
      throw new BadInputException(where + ": expression '" + text + "' reads " + String.join(", ", unknown)
          + ", which " + (unknown.size() == 1 ? "is" : "are") + " not an input or a column defined before it;"
          + " known: " + String.join(", ", new TreeSet<>(names.keySet())));
    }
    ExpressionCompiler.Node compiled = ExpressionCompiler.compile(text, bindings, Expressions.FEATURES);
    // compiled closures read names only through the bindings, as listed; the interpreter may read any of them
    int[] reads = (compiled != null ? read.stream() : new TreeSet<>(names.values()).stream())
        .mapToInt(Integer::intValue).toArray();
    return new Expression(text, where, bindings, -1, Expressions.JEXL.createExpression(text), compiled, reads);
  }

  /** The value slots the expression reads. */
  int[] reads() {
    return reads.clone();
  }

  /**
   * This expression as an unboxed formula over the double inputs ({@code doubleInputs}: name to input column),
   * for rows whose inputs are all non-null; null when it is a bare name, or not all doubles, or outside the
   * subset {@link DoubleFormulas} compiles.
   */
  ColumnarPipeline.DoubleFormula doubleFormula(Map<String, Integer> doubleInputs) {
    return compiled == null ? null : DoubleFormulas.compile(source, doubleInputs, Expressions.FEATURES);
  }

  /** Whether rows are evaluated by compiled closures rather than the JEXL interpreter. */
  boolean isCompiled() {
    return compiled != null;
  }

  /** Evaluates with the JEXL interpreter, whatever {@link #isCompiled()} says (for tests). */
  Object interpret(Object[] values) {
    return jexl == null ? values[directPosition] : bind(values).interpretHere();
  }

  /** The slot read when the expression is a bare name, else -1. */
  int directPosition() {
    return directPosition;
  }

  String source() {
    return source;
  }

  /** The names the expression may read, to their value slots as they were when it was defined. */
  Map<String, Integer> bindings() {
    return bindings;
  }

  String where() {
    return where;
  }

  /** This expression over a row's value array; one per worker, reused for every row. */
  Bound bind(Object[] values) {
    return new Bound(values);
  }

  final class Bound implements JexlContext {
    private final Object[] values;

    private Bound(Object[] values) {
      this.values = values;
    }

    Expression expression() {
      return Expression.this;
    }

    Object evaluate() {
      if (directPosition >= 0) {
        return values[directPosition];
      }
      if (compiled != null) {
        try {
          return compiled.eval(values);
        } catch (RuntimeException e) {
          throw new IllegalStateException(where + ": expression '" + source + "' failed on " + describe()
              + ": " + e, e);
        }
      }
      return interpretHere();
    }

    private Object interpretHere() {
      try {
        return jexl.evaluate(this);
      } catch (JexlException e) {
        throw new IllegalStateException(where + ": expression '" + source + "' failed on " + describe()
            + ": " + e.getMessage(), e);
      }
    }

    @Override
    public Object get(String name) {
      Integer slot = bindings.get(name);
      return slot == null ? null : values[slot];
    }

    @Override
    public void set(String name, Object value) {
      throw new UnsupportedOperationException("expressions cannot assign (" + name + ")");
    }

    @Override
    public boolean has(String name) {
      return bindings.containsKey(name);
    }

    private String describe() {
      StringBuilder text = new StringBuilder("{");
      new TreeSet<>(bindings.keySet()).forEach(name -> {
        if (text.length() > 1) {
          text.append(", ");
        }
        text.append(name).append('=').append(values[bindings.get(name)]);
      });
      return text.append('}').toString();
    }
  }
}
