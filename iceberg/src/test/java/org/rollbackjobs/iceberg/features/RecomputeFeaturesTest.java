package org.rollbackjobs.iceberg.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rollbackjobs.iceberg.features.ExpectedFeatures.actual;
import static org.rollbackjobs.iceberg.features.ExpectedFeatures.assertSameRows;

import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.TreeMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.iceberg.Fixtures;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.data.GenericDataFiles;
import org.rollbackjobs.testing.TestTables;

/**
 * Recomputes on real Iceberg tables (JDBC catalog on the test PostgreSQL, Parquet files), each compared row for
 * row with an independent computation over the same snapshot read with Iceberg's generic reader.
 */
class RecomputeFeaturesTest {
  @TempDir static Path warehouse;
  static Catalog catalog;
  static PipelineCatalog pipelines;
  static Table source;
  static long day1;
  static long day2;

  @BeforeAll
  static void source() {
    catalog = Fixtures.catalog("recompute", warehouse);
    pipelines = PipelineCatalog.fromClasspath();
    source = TxnSource.create(catalog, "shop.txn");
    day1 = TxnSource.append(source, TxnSource.rows(TxnSource.SCHEMA, 1, 6_000, 400), 3);
    day2 = TxnSource.append(source, TxnSource.rows(TxnSource.SCHEMA, 2, 4_000, 500), 2);
  }

  private RecomputeFeatures recompute(String pipeline, String version, String target) {
    return RecomputeFeatures.of(catalog).pipeline(pipelines.get(pipeline, version)).source("shop.txn").target(target)
        .threads(2);
  }

  @Test
  void version1MatchesAnIndependentComputation() {
    RecomputeResult result = recompute("customer_txn_features", "1", "features.v1").set(FeatureLineage.REASON, "test").commit();

    Table features = catalog.loadTable(TableName.parse("features.v1"));
    assertThat(ExpectedFeatures.columnNames(features)).containsExactly("customer_id", "txn_count", "amount_sum", "amount_mean");
    List<List<Object>> expected = ExpectedFeatures.customerTxnV1(TxnSource.read(source, day2));
    assertSameRows(actual(features, 1), expected);
    assertThat(result.changed()).isTrue();
    assertThat(result.rowsRead()).isEqualTo(10_000);
    assertThat(result.rowsWritten()).isEqualTo(expected.size());

    Map<String, String> summary = features.currentSnapshot().summary();
    assertThat(summary)
        .containsEntry(FeatureLineage.SOURCE_TABLE, "shop.txn")
        .containsEntry(FeatureLineage.SOURCE_SNAPSHOT, Long.toString(day2))
        .containsEntry(FeatureLineage.PIPELINE, "customer_txn_features")
        .containsEntry(FeatureLineage.PIPELINE_VERSION, "1")
        .containsEntry(FeatureLineage.PIPELINE_HASH, pipelines.get("customer_txn_features", "1").definitionHash())
        .containsEntry(FeatureLineage.REASON, "test")
        .containsEntry(FeatureLineage.RUN_ID, result.plan().runId());

    // the data files of a table the recompute created are written with the table's codec (Iceberg's default)
    String codec = features.properties().get(org.apache.iceberg.TableProperties.PARQUET_COMPRESSION);
    assertThat(codec).isNotNull();
    try (var tasks = features.newScan().planFiles()) {
      for (var task : tasks) {
        try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(org.apache.parquet.hadoop.util.HadoopInputFile
            .fromPath(new org.apache.hadoop.fs.Path(task.file().location()), new org.apache.hadoop.conf.Configuration()))) {
          reader.getFooter().getBlocks().forEach(block -> block.getColumns().forEach(column ->
              assertThat(column.getCodec().name()).as("codec of %s", column.getPath()).isEqualToIgnoringCase(codec)));
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void version2MatchesAnIndependentComputationAndDiffersFromVersion1() {
    recompute("customer_txn_features", "2", "features.v2").commit();

    Table features = catalog.loadTable(TableName.parse("features.v2"));
    assertThat(ExpectedFeatures.columnNames(features)).containsExactly(
        "customer_id", "txn_count", "amount_sum", "amount_mean", "amount_max", "category_count");
    List<Record> rows = TxnSource.read(source, day2);
    assertSameRows(actual(features, 1), ExpectedFeatures.customerTxnV2(rows));
    // the cap changes the mean of every customer with an amount above 10000.0
    List<List<Object>> v1 = ExpectedFeatures.customerTxnV1(rows);
    List<List<Object>> v2 = actual(features, 1);
    long differentMeans = 0;
    for (int i = 0; i < v1.size(); i++) {
      if (!v1.get(i).get(3).equals(v2.get(i).get(3))) {
        differentMeans++;
      }
    }
    assertThat(differentMeans).isGreaterThan(100);
  }

  @Test
  void rerunReplacesTheContentWithTheSameRowsAndAnUpToDateTableIsLeftAlone() {
    RecomputeResult first = recompute("customer_txn_features", "2", "features.rerun").commit();
    Table features = catalog.loadTable(TableName.parse("features.rerun"));
    List<List<Object>> before = actual(features, 1);

    // another run of the same request: a new replace, never appended rows
    RecomputeResult second = recompute("customer_txn_features", "2", "features.rerun2").commit();
    RecomputeResult again = RecomputeFeatures.of(catalog).pipeline(pipelines.get("customer_txn_features", "1"))
        .source("shop.txn").target("features.rerun").commit();
    RecomputeResult back = recompute("customer_txn_features", "2", "features.rerun").commit();
    features.refresh();
    assertThat(again.changed()).isTrue();
    assertThat(back.changed()).isTrue();
    assertThat(actual(features, 1)).isEqualTo(before);
    assertThat(actual(catalog.loadTable(TableName.parse("features.rerun2")), 1)).isEqualTo(before);
    assertThat(features.currentSnapshot().summary()).containsEntry("total-records", Integer.toString(before.size()));
    assertThat(first.rowsWritten()).isEqualTo(second.rowsWritten());

    // the same pipeline version over the same snapshot: nothing to do
    long current = features.currentSnapshot().snapshotId();
    RecomputeResult upToDate = recompute("customer_txn_features", "2", "features.rerun").commit();
    assertThat(upToDate.changed()).isFalse();
    assertThat(upToDate.plan().upToDate()).isTrue();
    features.refresh();
    assertThat(features.currentSnapshot().snapshotId()).isEqualTo(current);
  }

  @Test
  void anOlderSnapshotGivesTheOlderFeatures() {
    recompute("customer_txn_features", "1", "features.old").sourceSnapshot(day1).commit();

    Table features = catalog.loadTable(TableName.parse("features.old"));
    assertSameRows(actual(features, 1), ExpectedFeatures.customerTxnV1(TxnSource.read(source, day1)));
    assertThat(actual(features, 1)).hasSizeLessThan(ExpectedFeatures.customerTxnV1(TxnSource.read(source, day2)).size());
    assertThat(features.currentSnapshot().summary()).containsEntry(FeatureLineage.SOURCE_SNAPSHOT, Long.toString(day1));
  }

  @Test
  void aRecomputeIntoABranchLeavesMainAndTheSchemaAsTheyAre() {
    recompute("customer_txn_features", "2", "features.branch").commit();
    Table features = catalog.loadTable(TableName.parse("features.branch"));
    long main = features.currentSnapshot().snapshotId();
    int schema = features.schema().schemaId();
    features.manageSnapshots().createBranch("drill-1", main).commit();

    RecomputeResult onBranch = recompute("customer_txn_features", "1", "features.branch").sourceSnapshot(day1)
        .toBranch("drill-1").commit();
    features.refresh();
    assertThat(onBranch.changed()).isTrue();
    assertThat(features.currentSnapshot().snapshotId()).as("main").isEqualTo(main);
    assertThat(features.schema().schemaId()).as("a branch cannot change the table's schema").isEqualTo(schema);
    long head = features.refs().get("drill-1").snapshotId();
    assertThat(onBranch.snapshotId()).isEqualTo(head);
    assertThat(features.snapshot(head).summary()).containsEntry(FeatureLineage.PIPELINE_VERSION, "1")
        .containsEntry(FeatureLineage.SOURCE_SNAPSHOT, Long.toString(day1));
    // version 1's columns as an independent computation over day 1; version 2's own columns null on the branch
    List<List<Object>> rows = new ArrayList<>();
    for (Record r : TxnSource.read(features, head)) {
      assertThat(r.getField("amount_max")).isNull();
      assertThat(r.getField("category_count")).isNull();
      rows.add(Arrays.asList(r.getField("customer_id"), r.getField("txn_count"), r.getField("amount_sum"),
          r.getField("amount_mean")));
    }
    rows.sort(Comparator.comparing(r -> String.valueOf(r.get(0))));
    assertSameRows(rows, ExpectedFeatures.customerTxnV1(TxnSource.read(source, day1)));

    // the same request again: up to date on the branch, nothing committed
    RecomputeResult again = recompute("customer_txn_features", "1", "features.branch").sourceSnapshot(day1)
        .toBranch("drill-1").commit();
    assertThat(again.changed()).isFalse();
    features.refresh();
    assertThat(features.refs().get("drill-1").snapshotId()).isEqualTo(head);
  }

  @Test
  void theSchemaFollowsThePipelineVersionBothWays() {
    recompute("customer_txn_features", "2", "features.evolve").commit();
    Table features = catalog.loadTable(TableName.parse("features.evolve"));
    long v2Snapshot = features.currentSnapshot().snapshotId();

    RecomputeResult v1 = recompute("customer_txn_features", "1", "features.evolve").commit();
    features.refresh();
    assertThat(v1.plan().schemaChanges()).contains("drop column amount_max double", "drop column category_count long");
    assertThat(ExpectedFeatures.columnNames(features)).containsExactly("customer_id", "txn_count", "amount_sum", "amount_mean");
    assertSameRows(actual(features, 1), ExpectedFeatures.customerTxnV1(TxnSource.read(source, day2)));
    // history is kept: the v2 snapshot still reads with its own schema
    assertThat(TxnSource.read(features, v2Snapshot).get(0).struct().fields()).hasSize(6);

    recompute("customer_txn_features", "2", "features.evolve").commit();
    features.refresh();
    assertSameRows(actual(features, 1), ExpectedFeatures.customerTxnV2(TxnSource.read(source, day2)));
  }

  @Test
  void keysThatDoNotFitTheMemoryBudgetAreSpilledAndMergedToTheSameResult(@TempDir Path work) {
    // a few KB per worker: dozens of spills per partition, more runs per bucket than one merge pass takes
    RecomputeResult spilled = recompute("customer_txn_features", "2", "features.spilled")
        .threads(1).memoryPerWorker(4_096).workDirectory(work).commit();

    assertThat(spilled.spills()).isGreaterThan(130);
    Table features = catalog.loadTable(TableName.parse("features.spilled"));
    assertSameRows(actual(features, 1), ExpectedFeatures.customerTxnV2(TxnSource.read(source, day2)));
    assertThat(work.resolve(spilled.plan().runId())).doesNotExist();
  }

  @Test
  void aJavaPipelineMatchesAnIndependentComputation() {
    recompute("customer_category_spend", "1", "features.category_spend").commit();

    Table features = catalog.loadTable(TableName.parse("features.category_spend"));
    assertSameRows(actual(features, 2), ExpectedFeatures.customerCategorySpend(TxnSource.read(source, day2)));
  }

  @Test
  void aRowWisePipelineWritesOneRowPerKeptInputRow() {
    recompute("txn_amount_flags", "1", "features.flags").commit();

    Table features = catalog.loadTable(TableName.parse("features.flags"));
    List<Record> rows = TxnSource.read(source, day2);
    List<String> expected = new ArrayList<>();
    for (Record r : rows) {
      Double amount = (Double) r.getField("amount");
      if (amount != null) {
        expected.add(r.getField("customer_id") + "|" + r.getField("ts") + "|" + amount + "|" + Math.min(amount, 10_000.0)
            + "|" + (amount >= 1000.0));
      }
    }
    List<String> actual = new ArrayList<>();
    for (Record r : TxnSource.read(features, null)) {
      actual.add(r.get(0) + "|" + r.get(1) + "|" + r.get(2) + "|" + r.get(3) + "|" + r.get(4));
    }
    assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void rowsHiddenByDeleteFilesAreNotCounted() {
    Table withDeletes = TxnSource.create(catalog, "shop.txn_deletes");
    List<Record> rows = TxnSource.rows(TxnSource.SCHEMA, 3, 2_000, 50);
    DataFile file = GenericDataFiles.write(withDeletes, rows);
    withDeletes.newAppend().appendFile(file).commit();
    DeleteFile deletes = TestTables.writePositionDeletes(withDeletes, file, 0, 1, 2, 10, 100, 1_999);
    withDeletes.newRowDelta().addDeletes(deletes).commit();
    withDeletes.refresh();

    RecomputeResult result = RecomputeFeatures.of(catalog).pipeline(pipelines.get("customer_txn_features", "2"))
        .source("shop.txn_deletes").target("features.deletes").commit();

    assertThat(result.rowsRead()).isEqualTo(1_994);
    assertThat(result.plan().deleteFiles()).isEqualTo(1);
    assertSameRows(actual(catalog.loadTable(TableName.parse("features.deletes")), 1),
        ExpectedFeatures.customerTxnV2(TxnSource.read(withDeletes, null)));
  }

  @Test
  void dailyWindowsAndTrailingTotalsUpToTheSourceSnapshotsTime() {
    // transactions of the last 60 days: about half of them inside the 30 days before the snapshot
    Table recent = TxnSource.create(catalog, "shop.recent");
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    List<Record> rows = TxnSource.rows(TxnSource.SCHEMA, 4, 3_000, 40);
    java.util.Random random = new java.util.Random(4);
    rows.forEach(r -> r.setField("ts", now.minusSeconds(random.nextInt(60 * 24 * 3600))));
    long snapshotId = TxnSource.append(recent, rows, 2);

    RecomputeFeatures.of(catalog).pipeline(pipelines.get("customer_daily_spend", "1"))
        .source("shop.recent").target("features.daily").commit();

    long asOf = recent.snapshot(snapshotId).timestampMillis();
    Map<List<Object>, List<Record>> groups = new TreeMap<>(Comparator.comparing((List<Object> k) -> (String) k.get(0))
        .thenComparing(k -> (OffsetDateTime) k.get(1)));
    for (Record r : TxnSource.read(recent, snapshotId)) {
      if (r.getField("amount") != null) {
        OffsetDateTime ts = (OffsetDateTime) r.getField("ts");
        groups.computeIfAbsent(List.of(r.getField("customer_id"), ts.truncatedTo(ChronoUnit.DAYS)), k -> new ArrayList<>()).add(r);
      }
    }
    List<List<Object>> expected = new ArrayList<>();
    groups.forEach((key, txns) -> {
      List<Double> amounts = txns.stream().map(r -> (Double) r.getField("amount")).toList();
      List<Double> last30 = txns.stream().filter(r -> {
        long millis = ((OffsetDateTime) r.getField("ts")).toInstant().toEpochMilli();
        return millis <= asOf && millis > asOf - Duration.ofDays(30).toMillis();
      }).map(r -> (Double) r.getField("amount")).toList();
      expected.add(new ArrayList<>(java.util.Arrays.asList(key.get(0), key.get(1), (long) txns.size(),
          amounts.stream().mapToDouble(Double::doubleValue).sum(), amounts.stream().min(Double::compare).get(),
          amounts.stream().max(Double::compare).get(),
          last30.isEmpty() ? null : last30.stream().mapToDouble(Double::doubleValue).sum())));
    });
    Table features = catalog.loadTable(TableName.parse("features.daily"));
    assertThat(ExpectedFeatures.columnNames(features)).containsExactly(
        "customer_id", "day", "txn_count", "amount_sum", "amount_min", "amount_max", "amount_sum_30d");
    List<List<Object>> actual = actual(features, 1);
    actual.sort(Comparator.comparing((List<Object> r) -> (String) r.get(0)).thenComparing(r -> (OffsetDateTime) r.get(1)));
    assertSameRows(actual, expected);
    long inWindow = expected.stream().filter(r -> r.get(6) != null).count();
    assertThat(inWindow).isBetween(expected.size() / 4L, expected.size() * 3L / 4);
  }

  @Test
  void anEmptySnapshotGivesAnEmptyFeatureTable() {
    Table empty = TxnSource.create(catalog, "shop.empty");
    empty.newAppend().commit();
    empty.refresh();

    RecomputeResult keyed = RecomputeFeatures.of(catalog).pipeline(pipelines.get("customer_txn_features", "2"))
        .source("shop.empty").target("features.empty").commit();
    RecomputeResult rowWise = RecomputeFeatures.of(catalog).pipeline(pipelines.get("txn_amount_flags", "1"))
        .source("shop.empty").target("features.empty_rows").commit();

    assertThat(keyed.rowsRead()).isZero();
    assertThat(keyed.dataFiles()).isZero();
    assertThat(rowWise.dataFiles()).isZero();
    Table features = catalog.loadTable(TableName.parse("features.empty"));
    assertThat(TxnSource.read(features, null)).isEmpty();
    assertThat(features.currentSnapshot().summary())
        .containsEntry(FeatureLineage.SOURCE_SNAPSHOT, Long.toString(empty.currentSnapshot().snapshotId()));
  }

  @Test
  void aCommitRetriedAfterACrashFindsItsEarlierCommitInsteadOfCommittingTwice() {
    RecomputeResult first = recompute("customer_txn_features", "1", "features.retried").commit();
    Table features = catalog.loadTable(TableName.parse("features.retried"));
    String metadata = org.rollbackjobs.iceberg.Fixtures.metadataLocation(features);

    // what the commit step does when it runs again with the same plan (its first run committed, then died)
    org.rollbackjobs.iceberg.features.engine.FeatureCommit.Outcome again =
        org.rollbackjobs.iceberg.features.engine.FeatureCommit.commit(catalog, source.io(), first.plan(), List.of(), Map.of());

    assertThat(again.alreadyCommitted()).isTrue();
    assertThat(again.snapshotId()).isEqualTo(first.snapshotId());
    assertThat(org.rollbackjobs.iceberg.Fixtures.metadataLocation(catalog.loadTable(TableName.parse("features.retried"))))
        .isEqualTo(metadata);
  }
}
