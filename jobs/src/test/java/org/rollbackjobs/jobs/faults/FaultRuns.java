package org.rollbackjobs.jobs.faults;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.jobs.JarProcess;
import org.rollbackjobs.testing.TestPostgres;

/**
 * What the fault tests share: the environment of a packaged JAR pointed at the test database with a catalog and
 * warehouse of the test's own, and what they read from PostgreSQL while a command runs (its job execution, its
 * steps, the statements its sessions run or wait in).
 */
final class FaultRuns {
  private FaultRuns() {
  }

  /** The JAR's environment: the test database, the catalog {@code catalogName} in {@code warehouse}. */
  static Map<String, String> env(String catalogName, Path warehouse, Path work) {
    TestPostgres db = TestPostgres.get();
    return spillingRecomputes(JarProcess.env(db.jdbcUrl(), db.user(), db.password(), catalogName,
        warehouse.toString()), work);
  }

  /** One recompute worker and a small aggregation budget: the map side spills, the reduce has runs to merge. */
  static Map<String, String> spillingRecomputes(Map<String, String> env, Path work) {
    env.put("ROLLBACK_FEATURES_THREADS", "1");
    env.put("ROLLBACK_FEATURES_AGGREGATIONMEMORY", "512KB");
    env.put("ROLLBACK_FEATURES_WORKDIR", work.toString());
    return env;
  }

  static Catalog catalog(String catalogName, Path warehouse) {
    return CatalogLoader.load(catalogName, TestPostgres.get().jdbcCatalogProperties(warehouse));
  }

  static String[] recompute(String source, String target) {
    return new String[] {"recompute-features", "--pipeline", "customer_txn_features", "--version", "2", "--source",
        source, "--target", target, "--reason", "fault test", "--json"};
  }

  /** The STARTED execution of {@code job} that {@code process} records (waits for it). */
  static long awaitExecution(JarProcess process, String job) {
    long[] id = new long[1];
    process.awaitAlive("its job execution is recorded", Duration.ofMillis(20), () -> {
      id[0] = countOrMinusOne("SELECT coalesce(max(e.job_execution_id), 0) FROM rollback.batch_job_execution e"
          + " JOIN rollback.batch_job_instance i USING (job_instance_id) WHERE i.job_name = '" + job + "'"
          + " AND e.status = 'STARTED'");
      return id[0] > 0;
    });
    return id[0];
  }

  static boolean stepStarted(long execution, String stepLike) {
    return countOrMinusOne("SELECT count(*) FROM rollback.batch_step_execution WHERE job_execution_id = "
        + execution + " AND step_name LIKE '" + stepLike + "' AND status = 'STARTED'") > 0;
  }

  /** Sessions of this database whose statement waits for a lock (-1: cannot tell now). */
  static long waitingOnLock(String queryLike) {
    return countOrMinusOne("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        + " AND wait_event_type = 'Lock' AND query ILIKE '" + queryLike + "'");
  }

  /** Sessions of this database running such a statement (-1: cannot tell now). */
  static long active(String queryLike) {
    return countOrMinusOne("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        + " AND state = 'active' AND pid <> pg_backend_pid() AND query ILIKE '" + queryLike + "'");
  }

  static void execute(String sql) throws SQLException {
    try (Connection c = TestPostgres.get().connect(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  static long count(String sql) throws SQLException {
    try (Connection c = TestPostgres.get().connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static String string(String sql) throws SQLException {
    try (Connection c = TestPostgres.get().connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /** -1 while it cannot be read (the schema is being made). */
  private static long countOrMinusOne(String sql) {
    try {
      return count(sql);
    } catch (SQLException e) {
      return -1;
    }
  }
}
