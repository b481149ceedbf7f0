package org.rollbackjobs.vector.index;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.rollbackjobs.vector.embedding.Distance;
import org.rollbackjobs.vector.sql.SqlIdentifier;

/**
 * Builds the ANN index of a loaded build table (after the load: one bulk build is much faster than keeping the
 * graph up to date row by row), with {@code maintenance_work_mem} and {@code max_parallel_maintenance_workers}
 * set for this session only, plus a b-tree on {@code doc_id}, then ANALYZE.
 */
public final class AnnIndexBuilder {
  private AnnIndexBuilder() {}

  /** Returns how long the ANN index took. An invalid index left by an interrupted build is dropped and rebuilt. */
  public static Duration create(Connection c, IndexBuild build, AnnSpec spec, Distance distance, long rows)
      throws SQLException {
    String ann = annIndexName(build);
    try (Statement s = c.createStatement()) {
      if (exists(c, build, ann) && !valid(c, build, ann)) {
        s.execute("DROP INDEX " + SqlIdentifier.qualified(build.index().schema(), ann));
      }
      applySessionSettings(s, spec);
      long start = System.nanoTime();
      s.execute(createIndexSql(build, spec, distance, rows));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      resetSessionSettings(s);
      s.execute(BuildTable.idIndexSql(build));
      s.execute("ANALYZE " + build.tableSql());
      return took;
    }
  }

  public static String createIndexSql(IndexBuild build, AnnSpec spec, Distance distance, long rows) {
    String with = spec.method() == AnnMethod.HNSW
        ? "m = " + spec.m() + ", ef_construction = " + spec.efConstruction()
        : "lists = " + spec.listsFor(rows);
    return "CREATE INDEX IF NOT EXISTS " + SqlIdentifier.quote(annIndexName(build)) + " ON " + build.tableSql()
        + " USING " + spec.method().sql() + " (embedding " + distance.operatorClass() + ") WITH (" + with + ")";
  }

  static void applySessionSettings(Statement s, AnnSpec spec) throws SQLException {
    if (spec.maintenanceWorkMem() != null) {
      s.execute("SET maintenance_work_mem = '" + spec.maintenanceWorkMem() + "'"); // checked against a pattern
    }
    if (spec.parallelWorkers() >= 0) {
      s.execute("SET max_parallel_maintenance_workers = " + spec.parallelWorkers());
    }
  }

  static void resetSessionSettings(Statement s) throws SQLException {
    s.execute("RESET maintenance_work_mem");
    s.execute("RESET max_parallel_maintenance_workers");
  }

  public static String annIndexName(IndexBuild build) {
    return BuildTable.annIndexName(build);
  }

  static boolean exists(Connection c, IndexBuild build, String index) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      s.setString(1, SqlIdentifier.qualified(build.index().schema(), index));
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /** pg_index says the index is valid and ready (a CREATE INDEX that was interrupted leaves neither). */
  public static boolean valid(Connection c, IndexBuild build, String index) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT i.indisvalid AND i.indisready FROM pg_index i"
        + " WHERE i.indexrelid = to_regclass(?)")) {
      s.setString(1, SqlIdentifier.qualified(build.index().schema(), index));
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }
}
