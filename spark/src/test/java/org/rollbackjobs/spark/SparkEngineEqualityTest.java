package org.rollbackjobs.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.features.FeatureLineage;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.RecomputeFeatures;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.iceberg.features.aggregate.Aggregate;
import org.rollbackjobs.iceberg.features.examples.CustomerCategorySpendPipeline;
import org.rollbackjobs.iceberg.features.examples.ExamplePipelines;
import org.rollbackjobs.iceberg.features.yaml.YamlPipelines;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.spark.testing.SparkConnectTestServer;
import org.rollbackjobs.testing.TestPostgres;

/**
 * The Spark engine gives the embedded engine's rows, on the same pinned source snapshot, for every example
 * pipeline and for a definition that exercises the expression and aggregate semantics (nulls, JEXL's operators,
 * windows, trailing windows, distinct counts, columns that take an input's name): a real Spark Connect server in
 * local mode, the real JDBC catalog, real Parquet files.
 */
class SparkEngineEqualityTest {
  @TempDir static Path warehouse;

  private static Catalog catalog;
  private static Map<String, String> catalogProperties;
  private static SparkSettings settings;
  private static Table source;
  private static long firstSnapshot;
  private static long secondSnapshot;

  @BeforeAll
  static void setUp() {
    settings = new SparkSettings(SparkConnectTestServer.shared().remote(), null, Map.of());
    catalogProperties = TestPostgres.get().jdbcCatalogProperties(warehouse);
    catalog = CatalogLoader.load("spark_eq_" + UUID.randomUUID().toString().substring(0, 8), catalogProperties);
    source = TxnSource.create(catalog, "shop.txn");
    firstSnapshot = TxnSource.append(source, rows(11L), 3);
    secondSnapshot = TxnSource.append(source, rows(12L), 2); // the pinned snapshot is the first: Spark must not read this
  }

  /** Generated transactions plus the awkward ones: recent rows, missing customers and times, blank categories. */
  private static List<Record> rows(long seed) {
    List<Record> rows = new ArrayList<>(TxnSource.rows(TxnSource.SCHEMA, seed, 6_000, 300));
    Random random = new Random(seed);
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    String[] categories = {"  Travel ", "\tFOOD\n", "", "   ", null, "grocery", "It's \\ odd"};
    for (int i = 0; i < 400; i++) {
      GenericRecord r = GenericRecord.create(TxnSource.SCHEMA);
      r.setField("customer_id", i % 17 == 0 ? null : "c" + random.nextInt(40));
      r.setField("amount", i % 13 == 0 ? null : i % 11 == 0 ? 0.0 : Math.round(random.nextDouble() * 2_000_000) / 100.0);
      r.setField("category", categories[i % categories.length]);
      r.setField("ts", i % 19 == 0 ? null : now.minusSeconds(random.nextInt(60 * 24 * 3600)));
      rows.add(r);
    }
    return rows;
  }

  static Stream<Arguments> pipelines() {
    List<Arguments> all = new ArrayList<>();
    new ExamplePipelines().pipelines().forEach(p -> all.add(Arguments.of(p.name() + " " + p.version(), p)));
    all.add(Arguments.of("customer_category_spend 1 (Java)", new CustomerCategorySpendPipeline()));
    all.add(Arguments.of("semantics_probe 1", YamlPipelines.parse(SEMANTICS_PROBE, "test SEMANTICS_PROBE")));
    return all.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pipelines")
  void sparkGivesTheEmbeddedEnginesRows(String name, FeaturePipeline pipeline) {
    EngineComparison.assertSparkGivesTheEmbeddedEnginesRows(catalog, catalogProperties, settings, pipeline,
        "shop.txn", firstSnapshot);
  }

  /** A drill's sandbox: the commit goes to a branch of the feature table; main keeps its snapshot. */
  @Test
  void aRecomputeOntoABranchLeavesMainAlone() {
    FeaturePipeline v2 = YamlPipelines.parse(SANDBOX_V2, "test SANDBOX_V2");
    RecomputeFeatures.of(catalog).pipeline(v2).source("shop.txn").sourceSnapshot(firstSnapshot)
        .target("features.branched").commit();
    Table table = catalog.loadTable(org.apache.iceberg.catalog.TableIdentifier.parse("features.branched"));
    long main = table.currentSnapshot().snapshotId();
    table.manageSnapshots().createBranch("sandbox", main).commit();

    RecomputePlan plan = RecomputeFeatures.of(catalog).pipeline(v2).source("shop.txn").sourceSnapshot(secondSnapshot)
        .target("features.branched").toBranch("sandbox").plan();
    SparkFeatureRecompute.Result result = SparkFeatureRecompute.of(catalog, catalogProperties, settings)
        .pipeline(v2).plan(plan).commit();

    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).as("main").isEqualTo(main);
    Snapshot branch = table.snapshot(table.refs().get("sandbox").snapshotId());
    assertThat(branch.snapshotId()).isEqualTo(result.snapshotId());
    assertThat(branch.summary()).containsEntry(FeatureLineage.SOURCE_SNAPSHOT, Long.toString(secondSnapshot))
        .containsEntry(FeatureLineage.ENGINE, FeatureLineage.ENGINE_SPARK);
    assertThat(result.rowsWritten()).isEqualTo(Long.parseLong(branch.summary().get("total-records")));
  }

  private static final String SANDBOX_V2 = """
      name: sandboxed
      version: "1"
      inputs: {customer_id: string, amount: double}
      group-by: [customer_id]
      aggregates:
        n: {count: "*"}
        total: {sum: amount}
      """;

  @Test
  void aJavaPipelineWithoutASparkImplementationIsRefusedNamingIt() {
    FeaturePipeline javaOnly = new JavaOnlyPipeline();
    RecomputePlan plan = RecomputeFeatures.of(catalog).pipeline(javaOnly)
        .source("shop.txn").sourceSnapshot(firstSnapshot).target("features.java_only").plan();
    assertThatThrownBy(() -> SparkFeatureRecompute.of(catalog, catalogProperties, settings)
        .pipeline(javaOnly).plan(plan).commit())
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("pipeline java_only version 1")
        .hasMessageContaining("--engine embedded");
    assertThat(catalog.tableExists(org.apache.iceberg.catalog.TableIdentifier.parse("features.java_only"))).isFalse();
  }

  @Test
  void aDefinitionWithoutAnExactTranslationIsRefusedBeforeAnythingChanges() {
    FeaturePipeline rounding = YamlPipelines.parse("""
        name: rounding
        version: "1"
        inputs: {customer_id: string, amount: double}
        columns:
          customer_id: customer_id
          rounded: {expr: "math:round(amount)", type: long}
        """, "test");
    RecomputePlan plan = RecomputeFeatures.of(catalog).pipeline(rounding)
        .source("shop.txn").sourceSnapshot(firstSnapshot).target("features.rounding").plan();
    assertThatThrownBy(() -> SparkFeatureRecompute.query(rounding, plan, catalog.name()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("pipeline rounding version 1")
        .hasMessageContaining("math:round");
    assertThatThrownBy(() -> SparkFeatureRecompute.of(catalog, catalogProperties, settings)
        .pipeline(rounding).plan(plan).commit()).isInstanceOf(BadInputException.class);
    assertThat(catalog.tableExists(org.apache.iceberg.catalog.TableIdentifier.parse("features.rounding"))).isFalse();
  }

  @Test
  void aFailingQueryLeavesTheFeatureTableAsItWas() {
    FeaturePipeline dividing = YamlPipelines.parse("""
        name: dividing
        version: "1"
        inputs: {customer_id: string, amount: double}
        columns:
          customer_id: customer_id
          ratio: {expr: "100.0 / (amount == null ? 0.0 : amount)", type: double}
        """, "test");
    FeaturePipeline v1 = new ExamplePipelines().pipelines().iterator().next();
    RecomputeFeatures.of(catalog).pipeline(v1).source("shop.txn").sourceSnapshot(firstSnapshot)
        .target("features.failing").commit();
    Table before = catalog.loadTable(org.apache.iceberg.catalog.TableIdentifier.parse("features.failing"));
    long snapshot = before.currentSnapshot().snapshotId();
    RecomputePlan plan = RecomputeFeatures.of(catalog).pipeline(dividing)
        .source("shop.txn").sourceSnapshot(firstSnapshot).target("features.failing").plan();
    assertThatThrownBy(() -> SparkFeatureRecompute.of(catalog, catalogProperties, settings)
        .pipeline(dividing).plan(plan).commit())
        .isInstanceOf(SparkQueryFailedException.class)
        .hasMessageContaining("failed")
        .hasMessageContaining("divided by zero")
        .hasMessageContaining("the feature table was not changed");
    before.refresh();
    assertThat(before.currentSnapshot().snapshotId()).isEqualTo(snapshot);
  }

  @Test
  void anUnreachableServerIsAOneLineFailure() {
    FeaturePipeline v1 = new ExamplePipelines().pipelines().iterator().next();
    RecomputePlan plan = RecomputeFeatures.of(catalog).pipeline(v1)
        .source("shop.txn").sourceSnapshot(secondSnapshot).target("features.unreachable").plan();
    SparkSettings closed = new SparkSettings("sc://127.0.0.1:1", null, Map.of());
    assertThatThrownBy(() -> SparkFeatureRecompute.of(catalog, catalogProperties, closed)
        .pipeline(v1).plan(plan).commit())
        .isInstanceOf(SparkQueryFailedException.class)
        .hasMessageContaining("the feature table was not changed");
  }

  /** Nulls, JEXL's operators and their null rules, shadowing, windows, trailing windows, distinct counts. */
  static final String SEMANTICS_PROBE = """
      name: semantics_probe
      version: "1"
      inputs: {customer_id: string, amount: double, category: string, ts: timestamptz}
      filter: "customer_id != null || amount > 100.0"
      columns:
        cat: {expr: "category ?? 'none'", type: string}
        label: {expr: "cat + '/' + (amount > 1000.0 ? 'big' : 'small')", type: string}
        capped: {expr: "math:min(amount, 5000.0)", type: double}
        amount: {expr: "amount == null ? -1.0 : math:abs(amount - 250.0)", type: double}
        logish: {expr: "amount > 0.0 ? math:log(amount) : 0.0", type: double}
        cents_mod: {expr: "amount >= 0.0 ? (amount * 100.0) % 7.0 : null", type: double}
        flag: {expr: "!(capped > 100.0) && category != null", type: boolean}
        bucket: {expr: "(customer_id == null ? 0 : 13) / 4 + 17 % 5", type: long}
      group-by: [customer_id, cat]
      window: {column: ts, size: P7D, as: week}
      aggregates:
        n: {count: "*"}
        n_capped: {count: capped}
        s: {sum: capped}
        m: {mean: "capped ?: 1.0"}
        lo: {min: label}
        hi: {max: amount}
        labels: {distinct-count: label}
        recent: {sum: capped, within: P30D}
        recent_n: {count: "*", within: P14D}
        flags: {count: "flag ? 1 : null", type: long}
        lg: {sum: logish}
        md: {max: cents_mod}
        bk: {sum: bucket}
      """;

  /** A Java pipeline that does not say how to run on Spark. */
  static final class JavaOnlyPipeline implements FeaturePipeline {
    @Override
    public String name() {
      return "java_only";
    }

    @Override
    public String version() {
      return "1";
    }

    @Override
    public List<Types.NestedField> inputColumns() {
      return List.of(Types.NestedField.optional(1, "customer_id", Types.StringType.get()));
    }

    @Override
    public Schema outputSchema() {
      return new Schema(Types.NestedField.optional(1, "customer_id", Types.StringType.get()));
    }

    @Override
    public List<String> keyColumns() {
      return List.of();
    }

    @Override
    public List<Aggregate<?>> aggregates() {
      return List.of();
    }

    @Override
    public org.rollbackjobs.iceberg.features.RowTransform newTransform(
        org.rollbackjobs.iceberg.features.PipelineContext context) {
      return (in, out) -> {
        out[0] = in.get(0, String.class);
        return true;
      };
    }
  }
}
