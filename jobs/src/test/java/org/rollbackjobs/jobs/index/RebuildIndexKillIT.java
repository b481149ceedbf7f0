package org.rollbackjobs.jobs.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.jobs.cli.Output;
import org.rollbackjobs.jobs.faults.FaultReport;
import org.rollbackjobs.testing.TestPostgres;
import org.rollbackjobs.vector.embedding.BuiltInModel;
import org.rollbackjobs.vector.source.IcebergDocumentSource;
import org.rollbackjobs.vector.testing.Documents;
import org.rollbackjobs.vector.testing.Legacy;

/**
 * The packaged JAR is killed (SIGKILL, no shutdown hook runs) in the middle of the load of a rebuild; {@code restart}
 * resumes after the last committed chunk, and the finished index is complete and correct. Meanwhile the serving
 * name never stopped answering from the old index.
 */
class RebuildIndexKillIT {
  private static final Path JAR = Path.of("target", "rollback-jobs.jar");
  private static final int DOCUMENTS = 3000;

  @TempDir Path warehouse;

  private Map<String, String> env(TestPostgres db) {
    return Map.of(
        "SPRING_DATASOURCE_URL", db.jdbcUrl(),
        "SPRING_DATASOURCE_USERNAME", db.user(),
        "SPRING_DATASOURCE_PASSWORD", db.password(),
        "ROLLBACK_ICEBERG_CATALOG_TYPE", "jdbc",
        "ROLLBACK_ICEBERG_CATALOG_URI", db.jdbcUrl(),
        "ROLLBACK_ICEBERG_CATALOG_JDBC_USER", db.user(),
        "ROLLBACK_ICEBERG_CATALOG_JDBC_PASSWORD", db.password(),
        "ROLLBACK_ICEBERG_CATALOG_WAREHOUSE", warehouse.toString(),
        "ROLLBACK_ICEBERG_CATALOGNAME", "kill_it");
  }

  private static Process start(Map<String, String> env, Path out, Path err, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().putAll(env);
    return builder.start();
  }

  private static long count(PGSimpleDataSource db, String sql) throws SQLException {
    try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String string(PGSimpleDataSource db, String sql) throws SQLException {
    try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  @Test
  void aRebuildKilledDuringTheLoadIsRestartedFromItsLastCommittedChunk() throws Exception {
    TestPostgres postgres = TestPostgres.get();
    PGSimpleDataSource db = new PGSimpleDataSource();
    db.setUrl(postgres.jdbcUrl());
    db.setUser(postgres.user());
    db.setPassword(postgres.password());
    Catalog catalog = CatalogLoader.load("kill_it", postgres.jdbcCatalogProperties(warehouse));
    IcebergDocumentSource source = IcebergDocumentSource.of(
        Documents.create(catalog, "kb.kill_docs", DOCUMENTS, 6, 41), null, "id", "text");
    // the index applications query today: a table made with plain SQL, from the same model
    try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA killit");
    }
    var pool = Executors.newFixedThreadPool(2);
    try {
      Legacy.create(db, "killit", "docs", source, BuiltInModel.ALL_MINILM_L6_V2_Q.embedder(pool));
    } finally {
      pool.shutdownNow();
    }

    Path out = Files.createTempFile("rebuild-out", ".txt");
    Path err = Files.createTempFile("rebuild-err", ".txt");
    Process rebuild = start(env(postgres), out, err, "rebuild-index", "--index", "docs", "--schema", "killit",
        "--embedding", "all-minilm-l6-v2-q", "--source-table", "kb.kill_docs", "--chunk-size", "20",
        "--reason", "kill test", "--json", "--rollback.vector.progress-interval=1s");

    // wait until some chunks are committed, then SIGKILL
    AtomicReference<String> loading = new AtomicReference<>();
    try {
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(20)).until(() -> {
        if (!rebuild.isAlive()) {
          fail("the rebuild ended before it could be killed (exit " + rebuild.exitValue() + "): "
              + Files.readString(err, StandardCharsets.UTF_8));
        }
        try {
          loading.set(string(db, "SELECT build_table FROM rollback.index_builds WHERE index_schema = 'killit'"
              + " AND kind = 'build'"));
          return loading.get() != null && count(db, "SELECT count(*) FROM killit." + loading.get()) >= 300;
        } catch (SQLException notYet) {
          return false; // the application has not created its schema yet
        }
      });
    } catch (ConditionTimeoutException e) {
      rebuild.destroyForcibly();
      fail("no load progress within 3 minutes: " + Files.readString(err, StandardCharsets.UTF_8));
    }
    String buildTable = loading.get();
    rebuild.destroyForcibly(); // SIGKILL
    assertThat(rebuild.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(rebuild.exitValue()).isNotZero();

    long committedAtKill = count(db, "SELECT count(*) FROM killit." + buildTable);
    assertThat(committedAtKill).isBetween(300L, DOCUMENTS - 1L).matches(n -> n % 20 == 0, "whole chunks only");
    // the serving name still is the old table, whole
    assertThat(string(db, "SELECT relkind::text FROM pg_class WHERE oid = 'killit.docs'::regclass")).isEqualTo("r");
    assertThat(count(db, "SELECT count(*) FROM killit.docs")).isEqualTo(DOCUMENTS);
    long killed = count(db, "SELECT max(job_execution_id) FROM rollback.batch_job_execution e"
        + " JOIN rollback.batch_job_instance i USING (job_instance_id) WHERE i.job_name = 'rebuild-index'");
    assertThat(string(db, "SELECT status FROM rollback.batch_job_execution WHERE job_execution_id = " + killed))
        .isEqualTo("STARTED");

    Path out2 = Files.createTempFile("restart-out", ".txt");
    Path err2 = Files.createTempFile("restart-err", ".txt");
    Process restart = start(env(postgres), out2, err2, "restart", "--execution", Long.toString(killed), "--json");
    assertThat(restart.waitFor(3, TimeUnit.MINUTES)).isTrue();
    String restartErr = Files.readString(err2, StandardCharsets.UTF_8);
    assertThat(restart.exitValue()).as(restartErr).isZero();
    List<String> stdout = Files.readAllLines(out2, StandardCharsets.UTF_8);
    assertThat(stdout).hasSize(1);
    JsonNode json = Output.JSON.readTree(stdout.get(0));
    assertThat(json.get("status").asText()).isEqualTo("completed");
    assertThat(json.get("restarted-execution-id").asLong()).isEqualTo(killed);
    assertThat(json.get("build-table").asText()).isEqualTo("killit." + buildTable); // the same build, resumed
    assertThat(json.get("rows").asLong()).isEqualTo(DOCUMENTS);
    assertThat(json.get("validation").get("passed").asBoolean()).isTrue();
    assertThat(restartErr).contains("resuming after " + committedAtKill + " documents", "rows (100.0%)");

    // the restarted load read exactly the documents the killed one had not committed
    long restarted = json.get("job-execution-id").asLong();
    assertThat(count(db, "SELECT read_count FROM rollback.batch_step_execution WHERE job_execution_id = " + restarted
        + " AND step_name = 'load-vectors'")).isEqualTo(DOCUMENTS - committedAtKill);
    assertThat(string(db, "SELECT relkind::text FROM pg_class WHERE oid = 'killit.docs'::regclass")).isEqualTo("v");
    assertThat(count(db, "SELECT count(*) FROM killit.docs")).isEqualTo(DOCUMENTS);
    assertThat(count(db, "SELECT count(DISTINCT doc_id) FROM killit.docs")).isEqualTo(DOCUMENTS);
    assertThat(count(db, "SELECT count(*) FROM killit.docs d JOIN killit." + json.get("legacy-table").asText()
        + " l USING (doc_id) WHERE d.embedding = l.embedding")).as("same model, same vectors").isEqualTo(DOCUMENTS);
    FaultReport.row("SIGKILL during the load (" + committedAtKill + " of " + DOCUMENTS + " documents committed)",
        "rebuild-index", "restart --execution resumed after the last committed chunk: every document once, the"
        + " uninterrupted vectors; the serving name answered from the old index throughout", "none");
    assertThat(Files.readString(err, StandardCharsets.UTF_8)).contains("rebuild-index load:", "rows/s, ETA");
  }
}
