package org.rollbackjobs.jobs.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.rollbackjobs.jobs.faults.FaultRuns.active;
import static org.rollbackjobs.jobs.faults.FaultRuns.awaitExecution;
import static org.rollbackjobs.jobs.faults.FaultRuns.count;
import static org.rollbackjobs.jobs.faults.FaultRuns.execute;
import static org.rollbackjobs.jobs.faults.FaultRuns.recompute;
import static org.rollbackjobs.jobs.faults.FaultRuns.stepStarted;
import static org.rollbackjobs.jobs.faults.FaultRuns.string;
import static org.rollbackjobs.jobs.faults.FaultRuns.waitingOnLock;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.features.ExpectedFeatures;
import org.rollbackjobs.iceberg.features.FeatureLineage;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.jobs.JarProcess;
import org.rollbackjobs.testing.TestPostgres;
import org.rollbackjobs.vector.embedding.BuiltInModel;
import org.rollbackjobs.vector.source.IcebergDocumentSource;
import org.rollbackjobs.vector.testing.Documents;
import org.rollbackjobs.vector.testing.Legacy;

/**
 * The packaged JAR killed with SIGKILL at points chosen by the command's progress as the job repository and
 * PostgreSQL show it (never by sleeps), then {@code restart --execution ID}: the end state equals an uninterrupted
 * run's. Two of the points catch a statement on the server: the command's Iceberg commit, or its index build,
 * waits for a lock this test holds when the process dies, and runs to its end on the server once the lock is let
 * go - the restart must find it done rather than do it twice. (Other kill points: {@code RecomputeRestartIT},
 * {@code RebuildIndexKillIT}, {@code SystemRollbackKillIT}, {@code DrillKillIT}.)
 */
class KillPointsIT {
  @TempDir Path warehouse;
  @TempDir Path work;

  enum RecomputePoint {
    /** The map side spilled, the reduce merges the runs. */
    REDUCING,
    /** The data files are written; the catalog statement that commits them waits for a lock held here. */
    COMMIT_STATEMENT_ON_THE_SERVER
  }

  enum IndexPoint {
    /** The ANN index statement waits for a lock held here on the build table, every document loaded. */
    INDEX_STATEMENT_ON_THE_SERVER,
    /** The build's recall probes run. */
    VALIDATING
  }

  private Map<String, String> env() {
    return FaultRuns.env("kill_points_it", warehouse, work);
  }

  private Catalog catalog() {
    return FaultRuns.catalog("kill_points_it", warehouse);
  }

  @ParameterizedTest
  @EnumSource(RecomputePoint.class)
  void aRecomputeKilledAtAPointEndsAsAnUninterruptedOne(RecomputePoint point) throws Exception {
    String name = point.name().toLowerCase(Locale.ROOT);
    Catalog catalog = catalog();
    String sourceName = "shop.kp_" + name;
    Table source = TxnSource.create(catalog, sourceName);
    TxnSource.append(source, TxnSource.rows(TxnSource.SCHEMA, 500, 600_000, 150_000), 12);
    String target = "features.kp_" + name;

    JarProcess killed;
    long execution;
    if (point == RecomputePoint.REDUCING) {
      killed = JarProcess.start(env(), recompute(sourceName, target));
      execution = awaitExecution(killed, "recompute-features");
      killed.awaitAlive("a reduce partition runs", Duration.ofMillis(5), () -> stepStarted(execution,
          "recompute-reduce-partition:%"));
      killed.kill();
    } else {
      try (Connection blocker = TestPostgres.get().connect()) {
        blocker.setAutoCommit(false);
        try (Statement s = blocker.createStatement()) {
          s.execute("LOCK TABLE iceberg_tables IN SHARE MODE"); // the catalog's reads go on, its writes wait
        }
        killed = JarProcess.start(env(), recompute(sourceName, target));
        execution = awaitExecution(killed, "recompute-features");
        killed.awaitAlive("the catalog commit waits on the server", Duration.ofMillis(20),
            () -> waitingOnLock("%iceberg_tables%") == 1);
        killed.kill();
        blocker.rollback(); // the dead process's statement goes on alone
      }
      await("the orphaned commit statement ended").atMost(Duration.ofMinutes(1))
          .until(() -> waitingOnLock("%iceberg_tables%") == 0 && active("%iceberg_tables%") == 0);
    }
    boolean committedByTheDeadProcess = catalog.tableExists(TableName.parse(target));

    JsonNode restarted = JarProcess.start(env(), "restart", "--execution", Long.toString(execution), "--json")
        .finish(0);
    assertThat(restarted.get("status").asText()).isEqualTo("completed");
    JsonNode whole = JarProcess.start(env(), recompute(sourceName, target + "_whole")).finish(0);
    assertThat(whole.get("status").asText()).isEqualTo("completed");

    Table features = catalog.loadTable(TableName.parse(target));
    assertThat(features.snapshots()).as("exactly one commit").hasSize(1);
    assertThat(features.currentSnapshot().summary()).containsEntry(FeatureLineage.SOURCE_SNAPSHOT,
        Long.toString(source.currentSnapshot().snapshotId()));
    ExpectedFeatures.assertSameRows(ExpectedFeatures.actual(features, 1),
        ExpectedFeatures.actual(catalog.loadTable(TableName.parse(target + "_whole")), 1));
    ExpectedFeatures.assertSameRows(ExpectedFeatures.actual(features, 1),
        ExpectedFeatures.customerTxnV2(TxnSource.read(source, null)));
    FaultReport.row("SIGKILL, " + describe(point), "recompute-features", "restart --execution: completed"
        + (committedByTheDeadProcess ? " (found the dead process's commit, made none)" : "")
        + "; rows equal an uninterrupted run's, one commit", "none");
  }

  @Test
  void aRestoreKilledWhileItsCommitStatementWaitsOnTheServer() throws Exception {
    Catalog catalog = catalog();
    Table table = TxnSource.create(catalog, "shop.kp_restore");
    long good = TxnSource.append(table, TxnSource.rows(TxnSource.SCHEMA, 800, 5_000, 500), 2);
    TxnSource.append(table, TxnSource.rows(TxnSource.SCHEMA, 801, 5_000, 500), 2); // the bad load
    JarProcess killed;
    long execution;
    try (Connection blocker = TestPostgres.get().connect()) {
      blocker.setAutoCommit(false);
      try (Statement s = blocker.createStatement()) {
        s.execute("LOCK TABLE iceberg_tables IN SHARE MODE");
      }
      killed = JarProcess.start(env(), "restore", "--table", "shop.kp_restore", "--to-snapshot", Long.toString(good),
          "--reason", "kill points", "--json");
      execution = awaitExecution(killed, "restore");
      killed.awaitAlive("the restore's catalog commit waits on the server", Duration.ofMillis(20),
          () -> waitingOnLock("%iceberg_tables%") == 1);
      killed.kill();
      blocker.rollback();
    }
    await("the orphaned commit statement ended").atMost(Duration.ofMinutes(1))
        .until(() -> waitingOnLock("%iceberg_tables%") == 0 && active("%iceberg_tables%") == 0);

    JsonNode restarted = JarProcess.start(env(), "restart", "--execution", Long.toString(execution), "--json")
        .finish(0);
    assertThat(restarted.get("status").asText()).isIn("completed", "noop");
    Table restored = catalog.loadTable(TableName.parse("shop.kp_restore"));
    assertThat(restored.snapshots()).as("the two loads and one restore commit").hasSize(3);
    ExpectedFeatures.assertSameRows(rows(TxnSource.read(restored, null)), rows(TxnSource.read(restored, good)));
    FaultReport.row("SIGKILL, Iceberg commit statement sent, waiting on the server (it lands after the kill)",
        "restore", "restart --execution: " + restarted.get("status").asText() + " (found the table at the target);"
        + " content of the target snapshot, one restore commit", "none");
  }

  /** A table's records as rows in one order, to compare two reads of it. */
  private static List<List<Object>> rows(List<Record> records) {
    List<List<Object>> rows = new ArrayList<>();
    for (Record r : records) {
      List<Object> row = new ArrayList<>();
      for (int i = 0; i < r.size(); i++) {
        row.add(r.get(i));
      }
      rows.add(row);
    }
    rows.sort(Comparator.comparing(Object::toString));
    return rows;
  }

  @ParameterizedTest
  @EnumSource(IndexPoint.class)
  void aRebuildKilledAtAPointEndsAsAnUninterruptedOne(IndexPoint point) throws Exception {
    int documents = 3000;
    String schema = "kp_" + point.name().toLowerCase(Locale.ROOT);
    Catalog catalog = catalog();
    IcebergDocumentSource source = IcebergDocumentSource.of(
        Documents.create(catalog, "kb." + schema, documents, 6, 47), null, "id", "text");
    execute("CREATE SCHEMA " + schema);
    var pool = Executors.newFixedThreadPool(2);
    try {
      Legacy.create(TestPostgres.get().dataSource(), schema, "docs", source,
          BuiltInModel.ALL_MINILM_L6_V2_Q.embedder(pool));
    } finally {
      pool.shutdownNow();
    }
    String[] rebuild = {"rebuild-index", "--index", "docs", "--schema", schema, "--embedding", "all-minilm-l6-v2-q",
        "--source-table", "kb." + schema, "--chunk-size", "100", "--reason", "kill points", "--json"};

    JarProcess killed = JarProcess.start(env(), rebuild);
    long execution = awaitExecution(killed, "rebuild-index");
    if (point == IndexPoint.VALIDATING) {
      killed.awaitAlive("the build is validated", Duration.ofMillis(10), () -> stepStarted(execution,
          "validate-build"));
      killed.kill();
    } else {
      killed.awaitAlive("the load runs", Duration.ofMillis(10), () -> stepStarted(execution, "load-vectors"));
      String build = string("SELECT build_table FROM rollback.index_builds WHERE index_schema = '" + schema
          + "' AND kind = 'build'");
      try (Connection blocker = TestPostgres.get().connect()) {
        blocker.setAutoCommit(false);
        try (Statement s = blocker.createStatement()) {
          s.execute("LOCK TABLE " + schema + "." + build + " IN ROW EXCLUSIVE MODE"); // COPY goes on, indexes wait
        }
        killed.awaitAlive("the ANN index statement waits on the server", Duration.ofMillis(20),
            () -> stepStarted(execution, "create-ann-index") && waitingOnLock("CREATE INDEX%") == 1);
        killed.kill();
        blocker.rollback();
      }
      await("the orphaned index statement ended").atMost(Duration.ofMinutes(1))
          .until(() -> waitingOnLock("CREATE INDEX%") == 0 && active("CREATE INDEX%") == 0);
    }
    // the serving name still answers from the table applications had
    assertThat(string("SELECT relkind::text FROM pg_class WHERE oid = '" + schema + ".docs'::regclass"))
        .isEqualTo("r");

    JsonNode restarted = JarProcess.start(env(), "restart", "--execution", Long.toString(execution), "--json")
        .finish(0);
    assertThat(restarted.get("status").asText()).isEqualTo("completed");
    assertThat(restarted.get("validation").get("passed").asBoolean()).isTrue();
    assertThat(count("SELECT count(*) FROM " + schema + ".docs")).isEqualTo(documents);
    assertThat(count("SELECT count(DISTINCT doc_id) FROM " + schema + ".docs")).isEqualTo(documents);
    assertThat(count("SELECT count(*) FROM " + schema + ".docs d JOIN " + schema + "."
        + restarted.get("legacy-table").asText() + " l USING (doc_id) WHERE d.embedding = l.embedding"))
        .as("the vectors an uninterrupted build of the same model has").isEqualTo(documents);
    assertThat(count("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n"
        + " ON n.oid = c.relnamespace WHERE n.nspname = '" + schema + "' AND c.relname = '"
        + restarted.get("build-table").asText().replaceFirst("^.*\\.", "") + "' AND i.indisvalid"))
        .as("the id and ANN indexes, valid, once each").isEqualTo(2);
    FaultReport.row("SIGKILL, " + describe(point), "rebuild-index", "restart --execution: completed; every"
        + " document once with the uninterrupted vectors, indexes valid, serving name switched", "none");
  }

  private static String describe(Enum<?> point) {
    return switch (point.name()) {
      case "REDUCING" -> "reduce running (map spilled)";
      case "COMMIT_STATEMENT_ON_THE_SERVER" -> "Iceberg commit statement sent, waiting on the server (it lands after"
          + " the kill)";
      case "INDEX_STATEMENT_ON_THE_SERVER" -> "CREATE INDEX sent, waiting on the server (it completes after the kill)";
      case "VALIDATING" -> "validation running";
      default -> point.name();
    };
  }
}
