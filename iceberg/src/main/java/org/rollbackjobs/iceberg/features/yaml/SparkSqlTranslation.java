package org.rollbackjobs.iceberg.features.yaml;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.features.PipelineContext;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Binary;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Call;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Elvis;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Literal;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Name;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Ternary;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Unary;

/**
 * A YAML definition as one Spark SQL query, with the embedded engine's semantics: the same parse tree
 * ({@link JexlSyntax}) as the compiled expressions, JEXL's null rules of {@link FeatureArithmetic} (arithmetic
 * with a null is null, an ordering comparison with a null is false, {@code ==} compares nulls), integer
 * division and a failed query on division by zero as in JEXL, and the aggregates of {@code Aggregates}
 * (which ignore nulls, as SQL's).
 *
 * <p>Every value slot of the definition (inputs, then derived columns) becomes a column {@code _sN} of a
 * sub-query, one level per derived column, so that an expression reads exactly the slots it was bound to
 * (a column that takes an input's name does not change what earlier expressions read). Constructs without an
 * exact Spark counterpart are refused with a {@link BadInputException} naming them: the job then stops before
 * it changes anything (exit 2).
 */
final class SparkSqlTranslation {
  /** What the translation knows of a value's type: enough for JEXL's operator rules. */
  private enum Kind { INTEGRAL, FLOATING, DECIMAL, STRING, BOOLEAN, TEMPORAL, NULL, OTHER }

  private record Sql(String text, Kind kind) {}

  private final YamlPipeline pipeline;
  private final String relation;
  private final long asOfMicros;
  private final Kind[] slotKinds;
  private final String where;

  SparkSqlTranslation(YamlPipeline pipeline, String relation, PipelineContext context) {
    this.pipeline = pipeline;
    this.relation = relation;
    Instant asOf = context.asOf();
    this.asOfMicros = asOf.getEpochSecond() * 1_000_000L + asOf.getNano() / 1_000;
    int slots = pipeline.inputColumns().size() + pipeline.derived().size();
    this.slotKinds = new Kind[slots];
    for (int i = 0; i < pipeline.inputColumns().size(); i++) {
      slotKinds[i] = kind(pipeline.inputColumns().get(i).type());
    }
    for (YamlPipeline.Derived d : pipeline.derived()) {
      slotKinds[d.position()] = kind(d.type());
    }
    this.where = "pipeline " + pipeline.name() + " version " + pipeline.version();
  }

  String query() {
    String rows = rows();
    if (!pipeline.isKeyed()) {
      int[] sources = pipeline.outputSources();
      List<Types.NestedField> columns = pipeline.outputSchema().columns();
      List<String> select = new ArrayList<>();
      for (int i = 0; i < columns.size(); i++) {
        select.add(cast(slot(sources[i]), columns.get(i)));
      }
      return "SELECT " + String.join(", ", select) + " FROM (" + rows + ") AS rows";
    }
    int keyCount = pipeline.keyColumns().size();
    int[] sources = pipeline.outputSources();
    List<Types.NestedField> columns = pipeline.outputSchema().columns();
    List<String> keys = new ArrayList<>();
    List<String> select = new ArrayList<>();
    for (int k = 0; k < keyCount; k++) {
      String key = sources[k] == YamlPipeline.WINDOW_KEY ? "_w" : slot(sources[k]);
      keys.add(key);
      select.add(cast(key, columns.get(k)));
    }
    List<YamlPipeline.AggregateInput> inputs = pipeline.aggregateInputs();
    for (int a = 0; a < inputs.size(); a++) {
      select.add(cast(aggregate(inputs.get(a), "_a" + a), columns.get(keyCount + a)));
    }
    return "SELECT " + String.join(", ", select) + " FROM (" + rows + ") AS rows GROUP BY " + String.join(", ", keys);
  }

  /** The source rows kept by the filter, with every slot, the window start and each aggregate's input. */
  private String rows() {
    List<Types.NestedField> inputs = pipeline.inputColumns();
    List<String> read = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      // int read for long and float for double, as the embedded engine widens them
      read.add("CAST(" + quote(inputs.get(i).name()) + " AS " + sparkType(inputs.get(i).type()) + ") AS " + slot(i));
    }
    String sql = "SELECT " + String.join(", ", read) + " FROM " + relation;
    if (pipeline.filter() != null) {
      sql = "SELECT * FROM (" + sql + ") AS source WHERE " + truthy(expression(pipeline.filter()));
    }
    for (YamlPipeline.Derived d : pipeline.derived()) {
      Sql value = expression(d.expression());
      sql = "SELECT *, " + converted(value, d.type(), d.where()) + " AS " + slot(d.position()) + " FROM (" + sql
          + ") AS d" + d.position();
    }
    List<String> extra = new ArrayList<>();
    YamlPipeline.Window window = pipeline.window();
    if (window != null) {
      String micros = "unix_micros(CAST(" + slot(window.timePosition()) + " AS TIMESTAMP))";
      String start = "timestamp_micros(" + micros + " - pmod(" + micros + ", " + window.sizeMicros() + "L))";
      extra.add(timeOfSlot(start, window.timePosition()) + " AS _w");
    }
    List<YamlPipeline.AggregateInput> inputsOfAggregates = pipeline.aggregateInputs();
    for (int a = 0; a < inputsOfAggregates.size(); a++) {
      extra.add(aggregateInput(inputsOfAggregates.get(a)) + " AS _a" + a);
    }
    return extra.isEmpty() ? sql : "SELECT *, " + String.join(", ", extra) + " FROM (" + sql + ") AS kept";
  }

  /** The value an aggregate is fed for a row: null feeds nothing (also outside a trailing window). */
  private String aggregateInput(YamlPipeline.AggregateInput in) {
    String value = in.value() == null ? "1" : converted(expression(in.value()), in.type(), in.where());
    if (in.within() == null) {
      return value;
    }
    long from = asOfMicros - in.within().toNanos() / 1_000;
    String micros = "unix_micros(CAST(" + slot(in.timePosition()) + " AS TIMESTAMP))";
    return "CASE WHEN " + micros + " > " + from + "L AND " + micros + " <= " + asOfMicros + "L THEN " + value + " END";
  }

  private String aggregate(YamlPipeline.AggregateInput in, String column) {
    switch (in.function()) {
      case "count":
        return in.value() == null && in.within() == null ? "count(*)" : "count(" + column + ")";
      case "sum":
        return "sum(" + column + ")";
      case "mean":
      case "avg":
        return "avg(CAST(" + column + " AS DOUBLE))";
      case "min":
        return "min(" + column + ")";
      case "max":
        return "max(" + column + ")";
      case "distinct-count":
      case "count-distinct":
        return "count(DISTINCT " + column + ")";
      default:
        throw refused(in.where(), "aggregate '" + in.function() + "'");
    }
  }

  private String cast(String sql, Types.NestedField column) {
    return "CAST(" + sql + " AS " + sparkType(column.type()) + ") AS " + quote(column.name());
  }

  /** An expression's value in a column of {@code type}, as {@link Conversions#to} gives it. */
  private String converted(Sql value, Type type, String at) {
    Kind target = kind(type);
    if (value.kind() == Kind.NULL || value.kind() == target
        || (value.kind() == Kind.INTEGRAL && (target == Kind.FLOATING || target == Kind.DECIMAL))
        || (value.kind() == Kind.FLOATING && target == Kind.DECIMAL)) {
      return "CAST(" + value.text() + " AS " + sparkType(type) + ")";
    }
    throw refused(at, "an expression of " + value.kind().name().toLowerCase() + " values for a " + type + " column");
  }

  private String timeOfSlot(String ltzTimestamp, int slot) {
    Type type = typeOfSlot(slot);
    boolean withZone = type instanceof Types.TimestampType t && t.shouldAdjustToUTC();
    return withZone ? ltzTimestamp : "CAST(" + ltzTimestamp + " AS TIMESTAMP_NTZ)";
  }

  private Type typeOfSlot(int slot) {
    if (slot < pipeline.inputColumns().size()) {
      return pipeline.inputColumns().get(slot).type();
    }
    return pipeline.derived().stream().filter(d -> d.position() == slot).findFirst().orElseThrow().type();
  }

  private Sql expression(Expression expression) {
    if (expression.directPosition() >= 0) {
      return new Sql(slot(expression.directPosition()), slotKinds[expression.directPosition()]);
    }
    Syntax tree;
    try {
      tree = JexlSyntax.parse(expression.source(), Expressions.FEATURES);
    } catch (JexlSyntax.UnsupportedSyntax e) {
      throw refused(expression.where(), e.getMessage());
    }
    return new Node(expression).sql(tree);
  }

  /** Translates one expression's tree, reading names through the expression's own bindings. */
  private final class Node {
    private final Expression expression;

    Node(Expression expression) {
      this.expression = expression;
    }

    private String condition(Sql value) {
      return truthy(value, expression.where());
    }

    Sql sql(Syntax n) {
      if (n instanceof Name name) {
        Integer slot = expression.bindings().get(name.name());
        if (slot == null) {
          throw refused(expression.where(), "unknown name '" + name.name() + "'");
        }
        return new Sql(slot(slot), slotKinds[slot]);
      }
      if (n instanceof Literal literal) {
        return literal(literal.value());
      }
      if (n instanceof Unary unary) {
        Sql x = sql(unary.operand());
        if (unary.op() == Syntax.UnaryOp.NEGATE) {
          requireNumeric(x, "-");
          return new Sql("(- " + widened(x) + ")", x.kind());
        }
        return new Sql("(NOT " + condition(x) + ")", Kind.BOOLEAN);
      }
      if (n instanceof Ternary ternary) {
        Sql then = sql(ternary.then());
        Sql otherwise = sql(ternary.otherwise());
        return new Sql("(CASE WHEN " + condition(sql(ternary.condition())) + " THEN " + then.text() + " ELSE "
            + otherwise.text() + " END)", common(then, otherwise));
      }
      if (n instanceof Elvis elvis) {
        Sql value = sql(elvis.value());
        Sql otherwise = sql(elvis.otherwise());
        return new Sql("(CASE WHEN " + condition(value) + " THEN " + value.text() + " ELSE " + otherwise.text()
            + " END)", common(value, otherwise));
      }
      if (n instanceof Call call) {
        return call(call);
      }
      return binary((Binary) n);
    }

    private Sql binary(Binary n) {
      Sql l = sql(n.left());
      Sql r = sql(n.right());
      switch (n.op()) {
        case ADD:
          if (l.kind() == Kind.STRING || r.kind() == Kind.STRING) { // JEXL concatenates when either is a string
            return new Sql("concat(CAST(" + l.text() + " AS STRING), CAST(" + r.text() + " AS STRING))", Kind.STRING);
          }
          return arithmetic("+", l, r);
        case SUBTRACT:
          return arithmetic("-", l, r);
        case MULTIPLY:
          return arithmetic("*", l, r);
        case DIVIDE:
          return division(l, r, "/", "div");
        case MOD:
          return division(l, r, "%", "%");
        case EQ:
          return new Sql("(" + l.text() + " <=> " + r.text() + ")", Kind.BOOLEAN);
        case NE:
          return new Sql("(NOT (" + l.text() + " <=> " + r.text() + "))", Kind.BOOLEAN);
        case LT:
          return ordering("<", l, r);
        case LE:
          return ordering("<=", l, r);
        case GT:
          return ordering(">", l, r);
        case GE:
          return ordering(">=", l, r);
        case AND:
          return new Sql("(" + condition(l) + " AND " + condition(r) + ")", Kind.BOOLEAN);
        case OR:
          return new Sql("(" + condition(l) + " OR " + condition(r) + ")", Kind.BOOLEAN);
        case NULL_COALESCE:
          return new Sql("coalesce(" + l.text() + ", " + r.text() + ")", common(l, r));
        default:
          throw refused(expression.where(), "operator " + n.op());
      }
    }

    /** JEXL widens integer arithmetic to long when it overflows an int: compute in BIGINT. */
    private Sql arithmetic(String op, Sql l, Sql r) {
      requireNumeric(l, op);
      requireNumeric(r, op);
      Kind kind = l.kind() == Kind.NULL ? r.kind() : r.kind() == Kind.NULL ? l.kind() : common(l, r);
      return new Sql("(" + widened(l) + " " + op + " " + widened(r) + ")", kind);
    }

    /** Integer division of integers; division by zero fails the query, as JEXL fails the row. */
    private Sql division(Sql l, Sql r, String floatingOp, String integralOp) {
      requireNumeric(l, floatingOp);
      requireNumeric(r, floatingOp);
      boolean integral = (l.kind() == Kind.INTEGRAL || l.kind() == Kind.NULL)
          && (r.kind() == Kind.INTEGRAL || r.kind() == Kind.NULL);
      String op = integral ? integralOp : floatingOp;
      String failure = "raise_error(" + string(expression.where() + ": expression '" + expression.source()
          + "' divided by zero") + ")";
      String kind = integral ? "BIGINT" : l.kind() == Kind.DECIMAL || r.kind() == Kind.DECIMAL ? null : "DOUBLE";
      String left = kind == null ? l.text() : "CAST(" + l.text() + " AS " + kind + ")";
      String right = kind == null ? r.text() : "CAST(" + r.text() + " AS " + kind + ")";
      return new Sql("(CASE WHEN " + right + " = 0 THEN " + failure + " ELSE " + left + " " + op + " " + right
          + " END)", integral ? Kind.INTEGRAL : common(l, r));
    }

    /** An ordering comparison with a null operand is false, not null. */
    private Sql ordering(String op, Sql l, Sql r) {
      if ((l.kind() == Kind.FLOATING || r.kind() == Kind.FLOATING) && l.kind() != r.kind()
          && l.kind() != Kind.INTEGRAL && r.kind() != Kind.INTEGRAL && l.kind() != Kind.NULL && r.kind() != Kind.NULL) {
        throw refused(expression.where(), "comparing " + l.kind() + " with " + r.kind());
      }
      return new Sql("coalesce(" + l.text() + " " + op + " " + r.text() + ", false)", Kind.BOOLEAN);
    }

    private Sql call(Call call) {
      if (!"math".equals(call.namespace())) {
        throw refused(expression.where(), "function " + call.namespace() + ":" + call.function());
      }
      List<Sql> args = call.args().stream().map(this::sql).toList();
      args.forEach(a -> requireNumeric(a, "math:" + call.function()));
      // Math's methods take primitives: JEXL finds none for a null argument and the value is null
      String anyNull = args.stream().map(a -> a.text() + " IS NULL").collect(Collectors.joining(" OR "));
      String sql;
      Kind kind = Kind.FLOATING;
      String x = args.isEmpty() ? null : "CAST(" + args.get(0).text() + " AS DOUBLE)";
      switch (call.function() + "/" + args.size()) {
        case "min/2":
        case "max/2":
          kind = common(args.get(0), args.get(1));
          if (kind == Kind.FLOATING) {
            // Math.min/max: NaN wins; Spark's least/greatest order NaN above every number
            String a = "CAST(" + args.get(0).text() + " AS DOUBLE)";
            String b = "CAST(" + args.get(1).text() + " AS DOUBLE)";
            sql = "CASE WHEN isnan(" + a + ") OR isnan(" + b + ") THEN double('NaN') ELSE "
                + (call.function().equals("min") ? "least(" : "greatest(") + a + ", " + b + ") END";
          } else {
            sql = (call.function().equals("min") ? "least(" : "greatest(") + widened(args.get(0)) + ", "
                + widened(args.get(1)) + ")";
          }
          break;
        case "abs/1":
          kind = args.get(0).kind();
          sql = "abs(" + (kind == Kind.INTEGRAL ? widened(args.get(0)) : x) + ")";
          break;
        case "sqrt/1":
          sql = "sqrt(" + x + ")";
          break;
        case "cbrt/1":
          sql = "cbrt(" + x + ")";
          break;
        case "exp/1":
          sql = "exp(" + x + ")";
          break;
        case "log/1":
        case "log10/1":
          // Spark's ln/log10 are null at and below zero; Math's are -Infinity at zero and NaN below
          String f = call.function().equals("log") ? "ln" : "log10";
          sql = "CASE WHEN " + x + " > 0 THEN " + f + "(" + x + ") WHEN " + x + " = 0 THEN double('-Infinity')"
              + " ELSE double('NaN') END";
          break;
        case "pow/2":
          sql = "pow(" + x + ", CAST(" + args.get(1).text() + " AS DOUBLE))";
          break;
        case "floor/1":
        case "ceil/1":
          // Math.floor/ceil return doubles (NaN and infinities unchanged); Spark's return integers
          sql = "CASE WHEN isnan(" + x + ") OR abs(" + x + ") >= 4.503599627370496E15D THEN " + x + " ELSE CAST("
              + call.function() + "(" + x + ") AS DOUBLE) END";
          break;
        case "signum/1":
          sql = "CAST(signum(" + x + ") AS DOUBLE)";
          break;
        default:
          throw refused(expression.where(), "math:" + call.function() + " with " + args.size() + " argument(s)");
      }
      return new Sql("(CASE WHEN " + anyNull + " THEN NULL ELSE " + sql + " END)", kind);
    }

    private Sql literal(Object value) {
      if (value == null) {
        return new Sql("NULL", Kind.NULL);
      }
      if (value instanceof Boolean b) {
        return new Sql(b ? "TRUE" : "FALSE", Kind.BOOLEAN);
      }
      if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
        return new Sql(value + "L", Kind.INTEGRAL);
      }
      if (value instanceof Double d) {
        return new Sql(Double.isFinite(d) ? "(" + d + "D)" : "double('" + d + "')", Kind.FLOATING);
      }
      if (value instanceof Float f) {
        return new Sql("CAST(" + string(f.toString()) + " AS FLOAT)", Kind.FLOATING);
      }
      if (value instanceof BigDecimal d) {
        return new Sql(d.toPlainString() + "BD", Kind.DECIMAL);
      }
      if (value instanceof String s) {
        return new Sql(string(s), Kind.STRING);
      }
      throw refused(expression.where(), "literal " + value + " (" + value.getClass().getSimpleName() + ")");
    }

    private void requireNumeric(Sql value, String op) {
      if (value.kind() != Kind.INTEGRAL && value.kind() != Kind.FLOATING && value.kind() != Kind.DECIMAL
          && value.kind() != Kind.NULL) {
        throw refused(expression.where(), "'" + op + "' on a " + value.kind().name().toLowerCase() + " value");
      }
    }
  }

  private String truthy(Sql value) {
    return truthy(value, where + ", filter");
  }

  /** JEXL's truth of a condition: a null is false, a number is true unless zero; strings are refused. */
  private String truthy(Sql value, String at) {
    if (value.kind() == Kind.BOOLEAN || value.kind() == Kind.NULL) {
      return "coalesce(" + value.text() + ", false)";
    }
    if (value.kind() == Kind.INTEGRAL || value.kind() == Kind.FLOATING) {
      return "coalesce(" + value.text() + " <> 0, false)";
    }
    throw refused(at, "a " + value.kind().name().toLowerCase() + " value as a condition");
  }

  private static String widened(Sql value) {
    return value.kind() == Kind.INTEGRAL ? "CAST(" + value.text() + " AS BIGINT)" : value.text();
  }

  private static Kind common(Sql a, Sql b) {
    if (a.kind() == b.kind() || b.kind() == Kind.NULL) {
      return a.kind();
    }
    if (a.kind() == Kind.NULL) {
      return b.kind();
    }
    if (a.kind() == Kind.FLOATING || b.kind() == Kind.FLOATING) {
      return Kind.FLOATING;
    }
    if (a.kind() == Kind.DECIMAL || b.kind() == Kind.DECIMAL) {
      return Kind.DECIMAL;
    }
    return Kind.OTHER;
  }

  private static Kind kind(Type type) {
    switch (type.typeId()) {
      case INTEGER:
      case LONG:
        return Kind.INTEGRAL;
      case FLOAT:
      case DOUBLE:
        return Kind.FLOATING;
      case DECIMAL:
        return Kind.DECIMAL;
      case STRING:
        return Kind.STRING;
      case BOOLEAN:
        return Kind.BOOLEAN;
      case DATE:
      case TIMESTAMP:
        return Kind.TEMPORAL;
      default:
        return Kind.OTHER;
    }
  }

  /** The Spark SQL type Iceberg's Spark runtime gives an Iceberg type. */
  private String sparkType(Type type) {
    switch (type.typeId()) {
      case INTEGER:
        return "INT";
      case LONG:
        return "BIGINT";
      case FLOAT:
        return "FLOAT";
      case DOUBLE:
        return "DOUBLE";
      case BOOLEAN:
        return "BOOLEAN";
      case STRING:
        return "STRING";
      case DATE:
        return "DATE";
      case TIMESTAMP:
        return ((Types.TimestampType) type).shouldAdjustToUTC() ? "TIMESTAMP" : "TIMESTAMP_NTZ";
      case DECIMAL:
        Types.DecimalType decimal = (Types.DecimalType) type;
        return "DECIMAL(" + decimal.precision() + ", " + decimal.scale() + ")";
      case BINARY:
        return "BINARY";
      default:
        throw refused(where, "columns of type " + type);
    }
  }

  private static String slot(int position) {
    return "_s" + position;
  }

  /** A Spark SQL identifier in backquotes. */
  static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /** A Spark SQL string literal (backslashes are escapes in Spark's default dialect). */
  static String string(String text) {
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private BadInputException refused(String at, String what) {
    return new BadInputException(at + ": cannot run on the Spark engine: " + what + " has no exact Spark SQL"
        + " translation; run it with --engine embedded, or change the definition (under a new version)");
  }
}
