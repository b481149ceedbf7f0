package org.rollbackjobs.iceberg.features.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rollbackjobs.iceberg.features.RowTransform;
import org.rollbackjobs.iceberg.features.aggregate.Aggregate;
import org.rollbackjobs.iceberg.features.aggregate.Aggregates;

/**
 * The map side's table of keys and states, spilled and merged, gives what one state object per key fed every
 * value gives: keys packed in the table (short strings, longs, ints) and not (long or non-Latin-1 strings,
 * null, composites), tables that grow, distinct counts within and past the 64 values kept as bits (and written
 * to runs by id), tiny budgets.
 */
class PartialAggregatorTest {
  @TempDir
  Path work;

  /** One aggregate object for two columns: their states by id must not share a run's values. */
  @SuppressWarnings("unchecked")
  private static final Aggregate<Object> DISTINCT =
      (Aggregate<Object>) Aggregates.distinctCount(Types.StringType.get());

  @SuppressWarnings("unchecked")
  private static final List<Aggregate<Object>> AGGREGATES = List.of(
      (Aggregate<Object>) Aggregates.count(),
      (Aggregate<Object>) Aggregates.sum(Types.DoubleType.get()),
      (Aggregate<Object>) Aggregates.sum(Types.LongType.get()),
      (Aggregate<Object>) Aggregates.mean(Types.DoubleType.get()),
      (Aggregate<Object>) Aggregates.min(Types.DoubleType.get()),
      (Aggregate<Object>) Aggregates.max(Types.LongType.get()),
      (Aggregate<Object>) Aggregates.distinctCount(Types.StringType.get()),
      (Aggregate<Object>) Aggregates.min(Types.StringType.get()),
      DISTINCT,
      DISTINCT);

  @ParameterizedTest
  @CsvSource({"1, 100000000, 1, true", "1, 200000, 1, true", "2, 100000000, 1, true", "2, 200000, 1, true",
      "1, 100000000, 64, true", "1, 200000, 64, true", "2, 200000, 37, true",
      "1, 200000, 64, false", "2, 200000, 64, false"})
  void partialStatesMergedEqualOneStatePerKey(int keyCount, long budget, int batchSize, boolean mixedTypes)
      throws IOException {
    Random random = new Random(7);
    Map<List<Object>, Object[]> expected = new HashMap<>();
    PartialAggregator aggregator = new PartialAggregator(AGGREGATES, keyCount, 3, budget, work.resolve("runs"));
    Object[][] batch = new Object[batchSize][];
    int batched = 0;
    for (int i = 0; i < 60_000; i++) {
      Object[] row = new Object[keyCount + AGGREGATES.size()];
      for (int k = 0; k < keyCount; k++) {
        row[k] = mixedTypes ? key(random) : stringKey(random); // one type: spills sort by key prefixes
      }
      row[keyCount] = Aggregates.ROW;
      row[keyCount + 1] = random.nextInt(10) == 0 ? null : random.nextGaussian() * 1e6;
      row[keyCount + 2] = (long) random.nextInt(1_000_000) - 500_000;
      row[keyCount + 3] = random.nextInt(10) == 0 ? RowTransform.SKIP : random.nextDouble() * 100;
      row[keyCount + 4] = random.nextDouble() - 0.5;
      row[keyCount + 5] = random.nextBoolean() ? null : random.nextLong();
      row[keyCount + 6] = "v" + random.nextInt(random.nextBoolean() ? 8 : 300); // many keys see over 64 values
      row[keyCount + 7] = random.nextInt(5) == 0 ? null : "s" + random.nextInt(1000);
      // few values: a run writes each once and its states as bits of ids (the ids differ from run to run)
      row[keyCount + 8] = random.nextInt(7) == 0 ? null : "w" + random.nextInt(20);
      // under 64 values in some spill rounds, over in others: both ways of writing a state, in one merge
      row[keyCount + 9] = "u" + random.nextInt(90);
      Object[] states = expected.computeIfAbsent(Arrays.asList(Arrays.copyOf(row, keyCount)),
          k -> AGGREGATES.stream().map(Aggregate::create).toArray());
      for (int a = 0; a < AGGREGATES.size(); a++) {
        Object value = row[keyCount + a];
        if (value != null && value != RowTransform.SKIP) {
          AGGREGATES.get(a).add(states[a], value);
        }
      }
      if (batchSize == 1) {
        aggregator.add(row.clone());
      } else { // as the map task folds rows: a batch at a time, spills falling inside batches
        batch[batched++] = row.clone();
        if (batched == batchSize) {
          aggregator.addAll(batch, batched);
          batched = 0;
        }
      }
    }
    aggregator.addAll(batch, batched);
    List<List<Path>> runs = aggregator.finish();
    if (budget < 1_000_000) {
      assertThat(aggregator.spills()).isGreaterThan(3);
    } else {
      assertThat(aggregator.spills()).isEqualTo(1);
    }

    Map<List<Object>, Object[]> actual = new HashMap<>();
    for (int b = 0; b < runs.size(); b++) {
      new RunMerger(AGGREGATES, keyCount, work.resolve("merge-" + b)).merge(runs.get(b), (key, states) ->
          assertThat(actual.put(Arrays.asList(Keys.values(key, keyCount)), states)).as("key merged once").isNull());
    }
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    expected.forEach((key, states) -> {
      for (int a = 0; a < AGGREGATES.size(); a++) {
        Object want = AGGREGATES.get(a).result(states[a]);
        Object got = AGGREGATES.get(a).result(actual.get(key)[a]);
        if (want instanceof Double d) {
          assertThat((Double) got).as("%s of %s", AGGREGATES.get(a).describe(), key)
              .isCloseTo(d, org.assertj.core.data.Offset.offset(Math.abs(d) * 1e-12 + 1e-12));
        } else {
          assertThat(got).as("%s of %s", AGGREGATES.get(a).describe(), key).isEqualTo(want);
        }
      }
    });
  }

  /** String keys only, sharing prefixes, some beyond one byte per character, some frequent, some rare. */
  private static Object stringKey(Random random) {
    int n = random.nextInt(random.nextInt(4) == 0 ? 20_000 : 300);
    return switch (n % 4) {
      case 0 -> "c" + n;
      case 1 -> "customer-" + n;
      case 2 -> "ключ-" + n;
      default -> random.nextInt(50) == 0 ? null : "c\u00ff" + n;
    };
  }

  /** Keys of every kind the table handles, some frequent, some rare. */
  private static Object key(Random random) {
    int n = random.nextInt(random.nextInt(4) == 0 ? 20_000 : 300);
    switch (n % 7) {
      case 0:
        return "c" + n;
      case 1:
        return (long) n;
      case 2:
        return n;
      case 3:
        return "a customer id longer than fifteen characters " + n;
      case 4:
        return "ключ-" + n;
      case 5:
        return n % 2 == 0 ? null : "x" + n;
      default:
        return "\u00e9t\u00e9" + n; // Latin-1, not ASCII
    }
  }
}
