package org.rollbackjobs.jobs.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.features.ExpectedFeatures;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.jobs.JarProcess;
import org.rollbackjobs.testing.RestartablePostgres;
import org.rollbackjobs.vector.embedding.BuiltInModel;
import org.rollbackjobs.vector.source.IcebergDocumentSource;
import org.rollbackjobs.vector.testing.Documents;
import org.rollbackjobs.vector.testing.Legacy;

/**
 * PostgreSQL restarted (pg_ctl -m fast: every session ends, open transactions roll back) in the middle of a
 * command of the packaged JAR: an index load, a feature recompute, a manifest capture. The server is one of the
 * test's own ({@link RestartablePostgres}); the job repository, the Iceberg catalog and the index all live in it.
 * The command either rides over the restart and ends as an uninterrupted run would, or exits 1 with one line that
 * says the connection was lost and how to continue; then nothing is half-written, and {@code restart --execution
 * ID} completes it. Every case ends in the state of an uninterrupted run.
 */
class PostgresRestartIT {
  private static RestartablePostgres server;
  private static PGSimpleDataSource db;

  @TempDir Path warehouse;
  @TempDir Path work;

  @BeforeAll
  static void ownServer() {
    server = RestartablePostgres.start("fault-tests");
    db = new PGSimpleDataSource();
    db.setUrl(server.jdbcUrl());
    db.setUser(server.user());
    db.setPassword(server.password());
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private Map<String, String> env() {
    return FaultRuns.spillingRecomputes(JarProcess.env(server.jdbcUrl(), server.user(), server.password(),
        "restart_it", warehouse.toString()), work);
  }

  private Catalog catalog() {
    return CatalogLoader.load("restart_it", Map.of("type", "jdbc", "uri", server.jdbcUrl(), "jdbc.user",
        server.user(), "jdbc.password", server.password(), "warehouse", warehouse.toString()));
  }

  @Test
  void restartedDuringAnIndexLoad() throws Exception {
    int documents = 3000;
    Catalog catalog = catalog();
    IcebergDocumentSource source = IcebergDocumentSource.of(
        Documents.create(catalog, "kb.restart_docs", documents, 6, 43), null, "id", "text");
    execute("CREATE SCHEMA restartit");
    var pool = Executors.newFixedThreadPool(2);
    try {
      Legacy.create(db, "restartit", "docs", source, BuiltInModel.ALL_MINILM_L6_V2_Q.embedder(pool));
    } finally {
      pool.shutdownNow();
    }

    String[] rebuild = {"rebuild-index", "--index", "docs", "--schema", "restartit", "--embedding",
        "all-minilm-l6-v2-q", "--source-table", "kb.restart_docs", "--chunk-size", "20", "--reason", "restart test",
        "--json"};
    JarProcess run = JarProcess.start(env(), rebuild);
    run.awaitAlive("300 documents loaded", Duration.ofMillis(20), () -> {
      String build = stringOrNull("SELECT build_table FROM rollback.index_builds WHERE index_schema = 'restartit'"
          + " AND kind = 'build'");
      return build != null && countOrZero("SELECT count(*) FROM restartit." + build) >= 300;
    });
    server.restart();

    String outcome = continueAfterRestart(run, "rebuild-index");
    assertThat(count("SELECT count(*) FROM restartit.docs")).isEqualTo(documents);
    assertThat(count("SELECT count(DISTINCT doc_id) FROM restartit.docs")).isEqualTo(documents);
    assertThat(string("SELECT relkind::text FROM pg_class WHERE oid = 'restartit.docs'::regclass")).isEqualTo("v");
    String legacy = string("SELECT build_table FROM rollback.index_builds WHERE index_schema = 'restartit'"
        + " AND kind = 'legacy'");
    assertThat(count("SELECT count(*) FROM restartit.docs d JOIN restartit." + legacy + " l USING (doc_id)"
        + " WHERE d.embedding = l.embedding")).as("same model, same vectors: each document once").isEqualTo(documents);
    FaultReport.row("PostgreSQL restarted during the load (300+ of 3,000 documents committed)", "rebuild-index",
        outcome, "none");
  }

  @Test
  void restartedDuringARecompute() throws Exception {
    Catalog catalog = catalog();
    Table source = TxnSource.create(catalog, "shop.restart_txn");
    TxnSource.append(source, TxnSource.rows(TxnSource.SCHEMA, 300, 480_000, 100_000), 8);
    JarProcess run = JarProcess.start(env(), "recompute-features", "--pipeline", "customer_txn_features",
        "--version", "2", "--source", "shop.restart_txn", "--target", "features.restarted", "--reason", "restart test",
        "--json");
    run.awaitAlive("the first map partition completed", Duration.ofMillis(10), () -> "COMPLETED".equals(stringOrNull(
        "SELECT status FROM rollback.batch_step_execution WHERE step_name = 'recompute-map-partition:map-00000'")));
    server.restart();

    String outcome = continueAfterRestart(run, "recompute-features");
    // a new catalog: the restart ended the old one's connections
    Table features = catalog().loadTable(TableName.parse("features.restarted"));
    assertThat(features.snapshots()).as("one commit").hasSize(1);
    ExpectedFeatures.assertSameRows(ExpectedFeatures.actual(features, 1),
        ExpectedFeatures.customerTxnV2(TxnSource.read(source, null)));
    FaultReport.row("PostgreSQL restarted during a recompute (map side done, before the reduce)", "recompute-features",
        outcome, "none");
  }

  @Test
  void restartedDuringAManifestCapture() throws Exception {
    Catalog catalog = catalog();
    Table table = TxnSource.create(catalog, "shop.captured");
    TxnSource.append(table, TxnSource.rows(TxnSource.SCHEMA, 7, 1_000, 100), 1);
    Path system = work.resolve("faults.yml");
    Files.writeString(system, "name: faults\ndatasets:\n  - table: shop.captured\n", StandardCharsets.UTF_8);
    JarProcess.start(env(), "manifest", "list", "--json").finish(0); // the schema exists before the lock below

    // the capture's INSERT waits for a lock held here (reads go on): it is inside the capture, tags made, when the
    // server restarts
    Connection blocker = server.connect();
    blocker.setAutoCommit(false);
    try (Statement s = blocker.createStatement()) {
      s.execute("LOCK TABLE rollback.manifests IN SHARE MODE");
    }
    JarProcess run = JarProcess.start(env(), "manifest", "capture", "--system-file", system.toString(), "--reason",
        "restart test", "--json");
    run.awaitAlive("the capture waits to insert its manifest", Duration.ofMillis(20), () -> countOrZero(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO rollback"
            + ".manifests%'") == 1);
    server.restart(); // ends the blocker's session too
    blocker.close();

    String outcome = continueAfterRestart(run, "manifest capture");
    assertThat(count("SELECT count(*) FROM rollback.manifests WHERE system = 'faults'")).isEqualTo(1);
    long id = count("SELECT id FROM rollback.manifests WHERE system = 'faults'");
    table = catalog().loadTable(TableName.parse("shop.captured"));
    assertThat(table.refs().keySet().stream().filter(ref -> ref.startsWith("manifest-")).toList())
        .as("the stored manifest's tag only: the died capture's tag was removed").containsExactly(
            "manifest-faults-" + id);
    FaultReport.row("PostgreSQL restarted during a capture (tags made, manifest not yet stored)", "manifest capture",
        outcome, "none");
  }

  /**
   * The command after the restart: it completed (rode over it), or it exited 1 naming the lost connection and
   * the restart command, changed nothing visible, and {@code restart --execution ID} completed it. Returns which.
   */
  private String continueAfterRestart(JarProcess run, String command) throws Exception {
    int exit = run.exitCode();
    if (exit == 0) {
      assertThat(run.json().get("status").asText()).isEqualTo("completed");
      return "rode over the restart: completed, end state as uninterrupted";
    }
    String stderr = run.stderr();
    assertThat(exit).as(stderr).isEqualTo(1);
    List<String> lines = stderr.lines().toList();
    String error = lines.get(lines.size() - 1);
    assertThat(error).as(stderr).startsWith("error: ").contains("lost the connection to PostgreSQL")
        .contains("restart --execution");
    JsonNode failed = run.json();
    assertThat(failed.get("status").asText()).isEqualTo("error");
    assertThat(failed.get("exit-code").asInt()).isEqualTo(1);
    long execution = Long.parseLong(error.replaceFirst(".*restart --execution (\\d+).*", "$1"));
    JsonNode restarted = JarProcess.start(env(), "restart", "--execution", Long.toString(execution), "--json")
        .finish(0);
    assertThat(restarted.get("status").asText()).as(restarted.toString()).isEqualTo("completed");
    return "exit 1 (\"" + error.replaceFirst(".*(lost the connection[^;]*).*", "$1").replaceAll("\\|", "/")
        + "\"), then restart --execution: completed, end state as uninterrupted";
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static long count(String sql) throws SQLException {
    try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      return rs.getLong(1);
    }
  }

  private static String string(String sql) throws SQLException {
    try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /** During the command: 0 while its schema or table does not exist yet, or while the server restarts. */
  private static long countOrZero(String sql) {
    try {
      return count(sql);
    } catch (SQLException | AssertionError notYet) {
      return 0;
    }
  }

  private static String stringOrNull(String sql) {
    try {
      return string(sql);
    } catch (SQLException notYet) {
      return null;
    }
  }
}
