package org.rollbackjobs.iceberg.features.yaml;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.rollbackjobs.iceberg.features.ColumnarPipeline;
import org.rollbackjobs.iceberg.features.PipelineContext;
import org.rollbackjobs.iceberg.features.RowTransform;
import org.rollbackjobs.iceberg.features.SparkSqlPipeline;
import org.rollbackjobs.iceberg.features.aggregate.Aggregate;
import org.rollbackjobs.iceberg.features.aggregate.Aggregates;

/** A pipeline compiled from a YAML definition (see {@link YamlPipelines} for the format). */
final class YamlPipeline implements ColumnarPipeline, SparkSqlPipeline {
  /** Key slot filled with the start of the row's tumbling window. */
  static final int WINDOW_KEY = -2;

  /** A column computed by an expression from the inputs and the columns before it. */
  record Derived(String name, Type type, Expression expression, int position, String where) {}

  /** Tumbling window: the key is the start of the window the time column falls in. */
  record Window(int timePosition, long sizeMicros) {}

  /** What one aggregate is fed: a constant row marker, or an expression's value, possibly only within a trailing window. */
  record AggregateInput(String function, Expression value, Type type, Duration within, int timePosition, String where) {}

  private final String name;
  private final String version;
  private final String description;
  private final String origin;
  private final String hash;
  private final List<Types.NestedField> inputs;
  private final Schema output;
  private final List<String> keys;
  private final List<Aggregate<?>> aggregates;
  private final int slots;
  private final Expression filter;
  private final List<Derived> derived;
  private final int[] outputSources;
  private final Window window;
  private final List<AggregateInput> aggregateInputs;

  YamlPipeline(String name, String version, String description, String origin, String hash,
      List<Types.NestedField> inputs, Schema output, List<String> keys, List<Aggregate<?>> aggregates,
      int slots, Expression filter, List<Derived> derived, int[] outputSources, Window window,
      List<AggregateInput> aggregateInputs) {
    this.name = name;
    this.version = version;
    this.description = description;
    this.origin = origin;
    this.hash = hash;
    this.inputs = List.copyOf(inputs);
    this.output = output;
    this.keys = List.copyOf(keys);
    this.aggregates = List.copyOf(aggregates);
    this.slots = slots;
    this.filter = filter;
    this.derived = List.copyOf(derived);
    this.outputSources = outputSources.clone();
    this.window = window;
    this.aggregateInputs = List.copyOf(aggregateInputs);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public List<Types.NestedField> inputColumns() {
    return inputs;
  }

  @Override
  public Schema outputSchema() {
    return output;
  }

  @Override
  public List<String> keyColumns() {
    return keys;
  }

  @Override
  public List<Aggregate<?>> aggregates() {
    return aggregates;
  }

  /** The SHA-256 of the definition's canonical JSON form: formatting, comments and key order do not count. */
  @Override
  public String definitionHash() {
    return hash;
  }

  @Override
  public String origin() {
    return origin;
  }

  /** The definition as one Spark SQL query ({@link SparkSqlTranslation}). */
  @Override
  public String sparkSql(String relation, PipelineContext context) {
    return new SparkSqlTranslation(this, relation, context).query();
  }

  List<Derived> derived() {
    return derived;
  }

  Expression filter() {
    return filter;
  }

  int[] outputSources() {
    return outputSources.clone();
  }

  Window window() {
    return window;
  }

  List<AggregateInput> aggregateInputs() {
    return aggregateInputs;
  }

  @Override
  public RowTransform newTransform(PipelineContext context) {
    return new Transform(context.asOf());
  }

  /**
   * Column batches can feed a definition without a filter, derived columns or windows whose keys are inputs:
   * then each aggregate is fed every row, an input as read, or its expression's value, as the transform does.
   */
  @Override
  public Columnar columnar(PipelineContext context) {
    if (filter != null || !derived.isEmpty() || window != null) {
      return null;
    }
    int[] keyInputs = new int[keys.size()];
    for (int k = 0; k < keyInputs.length; k++) {
      keyInputs[k] = outputSources[k];
      if (keyInputs[k] < 0 || keyInputs[k] >= inputs.size()) {
        return null;
      }
    }
    Map<String, Integer> doubleInputs = new HashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      if (inputs.get(i).type().typeId() == Type.TypeID.DOUBLE) {
        doubleInputs.put(inputs.get(i).name(), i);
      }
    }
    List<Feed> feeds = new ArrayList<>();
    for (AggregateInput in : aggregateInputs) {
      if (in.within() != null) {
        return null;
      }
      if (in.value() == null) {
        feeds.add(new EveryRow());
      } else if (in.value().directPosition() >= 0) {
        feeds.add(new InputColumn(in.value().directPosition()));
      } else {
        Object[] values = new Object[slots];
        Expression.Bound bound = in.value().bind(values);
        feeds.add(new Computed(values, in.value().reads(),
            () -> Conversions.to(in.type(), bound.evaluate(), in.where()),
            in.type().typeId() == Type.TypeID.DOUBLE ? in.value().doubleFormula(doubleInputs) : null));
      }
    }
    return new Columnar(keyInputs, List.copyOf(feeds));
  }

  private final class Transform implements RowTransform {
    private final Object[] values = new Object[slots];
    private final Expression.Bound filterValue;
    private final Expression.Bound[] derivedValues;
    private final Expression.Bound[] aggregateValues;
    private final long asOfMicros;

    Transform(Instant asOf) {
      this.asOfMicros = asOf.getEpochSecond() * 1_000_000L + asOf.getNano() / 1_000;
      this.filterValue = filter == null ? null : filter.bind(values);
      this.derivedValues = derived.stream().map(d -> d.expression().bind(values)).toArray(Expression.Bound[]::new);
      this.aggregateValues = aggregateInputs.stream().map(a -> a.value() == null ? null : a.value().bind(values))
          .toArray(Expression.Bound[]::new);
    }

    @Override
    public boolean apply(StructLike input, Object[] out) {
      for (int i = 0; i < inputs.size(); i++) {
        values[i] = input.get(i, Object.class);
      }
      if (filterValue != null) {
        Object keep = filterValue.evaluate();
        if (keep != null && !(keep instanceof Boolean)) {
          throw new IllegalStateException("filter '" + filter.source() + "' of pipeline " + name + " version "
              + version + " gave " + keep + ", not true or false");
        }
        if (!Boolean.TRUE.equals(keep)) {
          return false;
        }
      }
      for (int d = 0; d < derivedValues.length; d++) {
        Derived column = derived.get(d);
        values[column.position()] = Conversions.to(column.type(), derivedValues[d].evaluate(), column.where());
      }
      int keyCount = keys.size();
      for (int i = 0; i < outputSources.length; i++) {
        int source = outputSources[i];
        out[i] = source == WINDOW_KEY ? windowStart(values[window.timePosition()]) : values[source];
      }
      for (int a = 0; a < aggregateValues.length; a++) {
        out[keyCount + a] = aggregateValue(aggregateInputs.get(a), aggregateValues[a]);
      }
      return true;
    }

    private Object aggregateValue(AggregateInput in, Expression.Bound bound) {
      if (in.within() != null) {
        Object time = values[in.timePosition()];
        if (time == null) {
          return RowTransform.SKIP;
        }
        long micros = micros(time);
        if (micros > asOfMicros || micros <= asOfMicros - in.within().toNanos() / 1_000) {
          return RowTransform.SKIP;
        }
      }
      if (bound == null) {
        return Aggregates.ROW;
      }
      Object value = bound.evaluate();
      return in.value().directPosition() >= 0 ? value : Conversions.to(in.type(), value, in.where());
    }

    private Object windowStart(Object time) {
      if (time == null) {
        return null;
      }
      long size = window.sizeMicros();
      long start = Math.floorDiv(micros(time), size) * size;
      Instant instant = Instant.ofEpochSecond(Math.floorDiv(start, 1_000_000L), Math.floorMod(start, 1_000_000L) * 1_000);
      return time instanceof OffsetDateTime
          ? OffsetDateTime.ofInstant(instant, ZoneOffset.UTC)
          : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
  }

  static long micros(Object time) {
    Instant instant = time instanceof OffsetDateTime t ? t.toInstant() : ((LocalDateTime) time).toInstant(ZoneOffset.UTC);
    return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
  }
}
