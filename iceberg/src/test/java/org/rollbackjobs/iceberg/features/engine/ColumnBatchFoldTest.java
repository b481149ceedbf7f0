package org.rollbackjobs.iceberg.features.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.iceberg.Fixtures;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.data.GenericDataFiles;
import org.rollbackjobs.iceberg.features.ColumnarPipeline;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.RecomputeFeatures;
import org.rollbackjobs.iceberg.features.RecomputeResult;
import org.rollbackjobs.iceberg.features.yaml.YamlPipelines;

/**
 * The map side fed column batches gives the states the row-wise transform gives: one recompute with batches
 * and one without ({@link MapTask#COLUMN_BATCHES}) over the same real Parquet files, for every kind of feed
 * (every row, a double, long, int, float, date or timestamp column, a string's distinct values, computed
 * values), with nulls in keys and values, many row groups, composite keys and spills that fall inside batches.
 */
class ColumnBatchFoldTest {
  @TempDir static Path warehouse;
  static Catalog catalog;
  static Table source;

  static final Schema SCHEMA = new Schema(
      Types.NestedField.optional(1, "customer", Types.StringType.get()),
      Types.NestedField.optional(2, "category", Types.StringType.get()),
      Types.NestedField.optional(3, "amount", Types.DoubleType.get()),
      Types.NestedField.optional(4, "big", Types.LongType.get()),
      Types.NestedField.optional(5, "n", Types.IntegerType.get()),
      Types.NestedField.optional(6, "ratio", Types.FloatType.get()),
      Types.NestedField.optional(7, "day", Types.DateType.get()),
      Types.NestedField.optional(8, "ts", Types.TimestampType.withZone()));

  static final String AGGREGATES = """
      aggregates:
        rows: {count: "*"}
        amounts: {count: amount}
        amount_sum: {sum: amount}
        doubled_mean: {mean: "amount * 2.0"}
        capped_max: {max: "amount > 5000.0 ? 5000.0 : amount", type: double}
        large_share: {mean: "amount > 4000.0 ? 1.0 : 0.0", type: double}
        scaled_n_sum: {sum: "n * 3", type: long}
        big_max: {max: big}
        n_min: {min: n}
        n_sum: {sum: n}
        ratio_mean: {mean: ratio}
        categories: {distinct-count: category}
        first_day: {min: day}
        last_ts: {max: ts}
        last_category: {max: category}
      """;

  static final String INPUTS = """
      inputs:
        customer: string
        category: string
        amount: double
        big: long
        n: int
        ratio: float
        day: date
        ts: timestamptz
      """;

  @BeforeAll
  static void source() {
    catalog = Fixtures.catalog("column_batches", warehouse);
    ((SupportsNamespaces) catalog).createNamespace(Namespace.of("src"));
    source = catalog.createTable(TableIdentifier.of("src", "mixed"), SCHEMA, PartitionSpec.unpartitioned(),
        Map.of(TableProperties.FORMAT_VERSION, "2",
            TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES, "65536",
            TableProperties.PARQUET_PAGE_ROW_LIMIT, "100",
            TableProperties.PARQUET_DICT_SIZE_BYTES, "4096"));
    Random random = new Random(11);
    var append = source.newAppend();
    for (int file = 0; file < 3; file++) {
      List<Record> rows = new ArrayList<>();
      for (int i = 0; i < 9_000; i++) {
        rows.add(row(random, 300 + file * 700));
      }
      append.appendFile(GenericDataFiles.write(source, rows));
    }
    append.commit();
  }

  @Test
  void batchesGiveTheRowWiseStatesBitForBit() {
    FeaturePipeline pipeline = pipeline("[customer]");
    assertThat(((ColumnarPipeline) pipeline).columnar(null)).as("takes column batches").isNotNull();

    RecomputeResult batches = recompute(pipeline, "features.batches", true, 64L << 20);
    RecomputeResult rows = recompute(pipeline, "features.rows", false, 64L << 20);
    assertThat(batches.spills()).isEqualTo(rows.spills()).isEqualTo(2); // one per map partition, at the end
    assertThat(read("features.batches")).isEqualTo(read("features.rows")).hasSizeGreaterThan(1_000);
  }

  @Test
  void compositeKeysAndSpillsInsideBatches() {
    FeaturePipeline pipeline = pipeline("[customer, category]");
    RecomputeResult batches = recompute(pipeline, "features.small_batches", true, 64 << 10);
    RecomputeResult rows = recompute(pipeline, "features.small_rows", false, 64 << 10);
    assertThat(batches.spills()).isGreaterThan(10);
    Map<List<Object>, List<Object>> fromBatches = read("features.small_batches");
    Map<List<Object>, List<Object>> fromRows = read("features.small_rows");
    assertThat(fromBatches.keySet()).isEqualTo(fromRows.keySet()).hasSizeGreaterThan(5_000);
    // spills may fall between other rows on the two paths, and partial sums add up in another grouping
    fromRows.forEach((key, expected) -> {
      List<Object> actual = fromBatches.get(key);
      for (int i = 0; i < expected.size(); i++) {
        if (expected.get(i) instanceof Double d) {
          assertThat((Double) actual.get(i)).as("%s of %s", i, key).isCloseTo(d, within(Math.abs(d) * 1e-12 + 1e-12));
        } else {
          assertThat(actual.get(i)).as("%s of %s", i, key).isEqualTo(expected.get(i));
        }
      }
    });
  }

  @Test
  void definitionsWithFiltersDerivedColumnsOrWindowsKeepTheRowWiseTransform() {
    String filtered = "name: f\nversion: \"1\"\n" + INPUTS + "filter: \"amount > 10.0\"\ngroup-by: [customer]\n"
        + "aggregates:\n  rows: {count: \"*\"}\n";
    assertThat(((ColumnarPipeline) YamlPipelines.parse(filtered, "test")).columnar(null)).isNull();
    String windowed = "name: w\nversion: \"1\"\n" + INPUTS + "group-by: [customer]\n"
        + "window: {column: ts, size: P1D, as: day}\naggregates:\n  rows: {count: \"*\"}\n";
    assertThat(((ColumnarPipeline) YamlPipelines.parse(windowed, "test")).columnar(null)).isNull();
  }

  private static FeaturePipeline pipeline(String groupBy) {
    return YamlPipelines.parse("name: batch_check\nversion: \"1\"\n" + INPUTS + "group-by: " + groupBy + "\n"
        + AGGREGATES, "test");
  }

  private static RecomputeResult recompute(FeaturePipeline pipeline, String target, boolean batches, long memory) {
    String before = System.getProperty(MapTask.COLUMN_BATCHES);
    System.setProperty(MapTask.COLUMN_BATCHES, Boolean.toString(batches));
    try {
      return RecomputeFeatures.of(catalog).pipeline(pipeline).source("src.mixed").target(target).threads(2)
          .memoryPerWorker(memory).commit();
    } finally {
      if (before == null) {
        System.clearProperty(MapTask.COLUMN_BATCHES);
      } else {
        System.setProperty(MapTask.COLUMN_BATCHES, before);
      }
    }
  }

  /** The feature rows by key (the columns before txn_count's position are the keys). */
  private static Map<List<Object>, List<Object>> read(String table) {
    Table features = catalog.loadTable(TableName.parse(table));
    int keys = features.schema().findField("rows").fieldId() == 0 ? 0 : features.schema().columns().indexOf(
        features.schema().findField("rows"));
    Map<List<Object>, List<Object>> rows = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
    try (CloseableIterable<Record> records = IcebergGenerics.read(features).build()) {
      for (Record r : records) {
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
          values.add(r.get(i));
        }
        rows.put(new ArrayList<>(values.subList(0, keys)), values);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return rows;
  }

  private static Record row(Random random, int customers) {
    GenericRecord r = GenericRecord.create(SCHEMA);
    r.setField("customer", nullOr(random, "c" + random.nextInt(customers)));
    r.setField("category", nullOr(random, "cat" + random.nextInt(random.nextInt(10) == 0 ? 90 : 9)));
    r.setField("amount", nullOr(random, random.nextInt(20) == 0 ? 1e4 + random.nextInt(1000) : random.nextDouble() * 6e3));
    r.setField("big", nullOr(random, random.nextLong()));
    r.setField("n", nullOr(random, random.nextInt(2_000_000) - 1_000_000));
    r.setField("ratio", nullOr(random, random.nextFloat()));
    r.setField("day", nullOr(random, LocalDate.of(2026, 1, 1).plusDays(random.nextInt(300))));
    r.setField("ts", nullOr(random, OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)
        .plusSeconds(random.nextInt(1 << 25))));
    return r;
  }

  private static <T> T nullOr(Random random, T value) {
    return random.nextInt(12) == 0 ? null : value;
  }
}
