package org.rollbackjobs.iceberg.features.engine;

import java.util.Arrays;
import java.util.List;
import org.rollbackjobs.iceberg.features.ColumnarPipeline;
import org.rollbackjobs.iceberg.features.aggregate.StateColumn;

/**
 * Folds column batches into a {@link PartialAggregator} as a {@link ColumnarPipeline} says: keys from their input
 * columns, each aggregate fed every row, an input column (doubles and longs unboxed) or a value computed per row.
 * One per map partition; {@link #bind} it to each task's batches.
 */
final class BatchFolder implements PartialAggregator.BatchFeed {
  private static final int EVERY_ROW = 0;
  private static final int DOUBLES = 1;
  private static final int LONGS = 2;
  private static final int OBJECTS = 3;
  private static final int COMPUTED = 4;
  private static final int FORMULA = 5;

  private final PartialAggregator aggregator;
  private final int[] keyInputs;
  private final List<ColumnarPipeline.Feed> feeds;
  private final Object[] keys = new Object[ColumnBatches.CAPACITY];
  private final Object[][] computed;
  /** Per aggregate fed by a formula: its input columns' doubles (by input position), its values and nulls. */
  private final double[][][] formulaInputs;
  private final double[][] formulaValues;
  private final boolean[][] formulaNulls;
  private final int[] kinds;
  private ColumnBatches batches;
  /** The key column's rows packed by the column itself (one key column that packs them), else null. */
  private PackedKeys packedKeys;
  private int count;

  BatchFolder(ColumnarPipeline.Columnar columnar, PartialAggregator aggregator) {
    this.aggregator = aggregator;
    this.keyInputs = columnar.keyInputs().clone();
    this.feeds = columnar.feeds();
    this.kinds = new int[feeds.size()];
    this.computed = new Object[feeds.size()][];
    this.formulaInputs = new double[feeds.size()][][];
    this.formulaValues = new double[feeds.size()][];
    this.formulaNulls = new boolean[feeds.size()][];
    for (int a = 0; a < kinds.length; a++) {
      if (feeds.get(a) instanceof ColumnarPipeline.Computed feed) {
        computed[a] = new Object[ColumnBatches.CAPACITY];
        if (feed.doubles() != null) {
          formulaInputs[a] = new double[Arrays.stream(feed.reads()).max().orElse(-1) + 1][];
          formulaValues[a] = new double[ColumnBatches.CAPACITY];
          formulaNulls[a] = new boolean[ColumnBatches.CAPACITY];
        }
      }
    }
  }

  /** Binds the next task's batches; what each aggregate is fed depends on the columns' types in its files. */
  void bind(ColumnBatches taskBatches) {
    this.batches = taskBatches;
    this.packedKeys = keyInputs.length == 1 ? taskBatches.column(keyInputs[0]).packedKeys() : null;
    for (int a = 0; a < kinds.length; a++) {
      ColumnarPipeline.Feed feed = feeds.get(a);
      if (feed instanceof ColumnarPipeline.EveryRow) {
        kinds[a] = EVERY_ROW;
      } else if (feed instanceof ColumnarPipeline.InputColumn in) {
        ColumnVector column = taskBatches.column(in.position());
        kinds[a] = column.doubles() != null ? DOUBLES : column.longs() != null ? LONGS : OBJECTS;
      } else {
        kinds[a] = formulaBinds(a, (ColumnarPipeline.Computed) feed, taskBatches) ? FORMULA : COMPUTED;
      }
    }
  }

  /** Whether the feed has a formula and every column it reads is of doubles in these batches. */
  private boolean formulaBinds(int aggregate, ColumnarPipeline.Computed feed, ColumnBatches taskBatches) {
    if (feed.doubles() == null) {
      return false;
    }
    for (int p : feed.reads()) {
      double[] doubles = taskBatches.column(p).doubles();
      if (doubles == null) {
        return false;
      }
      formulaInputs[aggregate][p] = doubles;
    }
    return true;
  }

  /** Folds the batch just read ({@code count} rows). */
  void fold(int rows) {
    this.count = rows;
    if (packedKeys != null) {
      aggregator.addBatch(packedKeys, rows, this);
      return;
    }
    Object[] batchKeys;
    if (keyInputs.length == 1) {
      batchKeys = batches.column(keyInputs[0]).objects(rows);
    } else {
      batchKeys = keys;
      for (int r = 0; r < rows; r++) {
        Object[] values = new Object[keyInputs.length];
        for (int k = 0; k < keyInputs.length; k++) {
          values[k] = batches.column(keyInputs[k]).objects(rows)[r];
        }
        keys[r] = new Keys.Composite(values);
      }
    }
    aggregator.addBatch(batchKeys, rows, this);
  }

  @Override
  public long feed(int aggregate, StateColumn column, long[] cells, int[] states, int base, int[] slots, int from,
      int to) {
    switch (kinds[aggregate]) {
      case EVERY_ROW:
        return column.addRows(cells, states, base, slots, from, to);
      case DOUBLES: {
        ColumnVector in = input(aggregate);
        return column.addDoubles(cells, states, base, slots, in.doubles(), in.nulls(), from, to);
      }
      case LONGS: {
        ColumnVector in = input(aggregate);
        return column.addLongs(cells, states, base, slots, in.longs(), in.nulls(), from, to);
      }
      case OBJECTS: {
        ColumnVector in = input(aggregate);
        int[] ids = in.dictionaryIds();
        return ids != null
            ? column.addDictionaryIds(cells, states, base, slots, ids, in.nulls(), in.dictionary(), from, to)
            : column.addObjects(cells, states, base, slots, in.objects(count), from, to);
      }
      case FORMULA:
        return column.addDoubles(cells, states, base, slots, formula(aggregate, from, to), formulaNulls[aggregate],
            from, to);
      default:
        return column.addObjects(cells, states, base, slots, compute(aggregate, from, to), from, to);
    }
  }

  /**
   * The formula's doubles for rows {@code from..to}, unboxed; a row with a null input is computed as
   * {@link #compute} does (a null may still give a value, as in {@code amount > 1.0 ? 1.0 : 0.0}).
   */
  private double[] formula(int aggregate, int from, int to) {
    ColumnarPipeline.Computed feed = (ColumnarPipeline.Computed) feeds.get(aggregate);
    ColumnarPipeline.DoubleFormula formula = feed.doubles();
    double[][] columns = formulaInputs[aggregate];
    double[] values = formulaValues[aggregate];
    boolean[] nulls = formulaNulls[aggregate];
    int[] reads = feed.reads();
    for (int r = from; r < to; r++) {
      boolean anyNull = false;
      for (int p : reads) {
        anyNull |= batches.column(p).nulls()[r];
      }
      if (!anyNull) {
        values[r] = formula.eval(columns, r);
        nulls[r] = false;
        continue;
      }
      Object[] inputs = feed.inputs();
      for (int p : reads) {
        inputs[p] = batches.column(p).nulls()[r] ? null : columns[p][r];
      }
      Object value = feed.value().get();
      nulls[r] = value == null;
      values[r] = value == null ? 0 : (Double) value;
    }
    return values;
  }

  private ColumnVector input(int aggregate) {
    return batches.column(((ColumnarPipeline.InputColumn) feeds.get(aggregate)).position());
  }

  private Object[] compute(int aggregate, int from, int to) {
    ColumnarPipeline.Computed feed = (ColumnarPipeline.Computed) feeds.get(aggregate);
    Object[] inputs = feed.inputs();
    int[] reads = feed.reads();
    Object[] values = computed[aggregate];
    for (int r = from; r < to; r++) {
      for (int p : reads) {
        inputs[p] = batches.column(p).objects(count)[r];
      }
      values[r] = Keys.normalise(feed.value().get());
    }
    return values;
  }
}
