package org.rollbackjobs.vector.index;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.rollbackjobs.vector.sql.SqlIdentifier;

/** Creates and drops build tables: the rows of one build, aside from the serving name. */
public final class BuildTable {
  private BuildTable() {}

  /**
   * Creates the table of {@code build} (if a restarted run finds it already there, it is kept: it holds the rows
   * committed before the interruption).
   */
  public static void create(Connection c, IndexBuild build) throws SQLException {
    SqlIdentifier.check("build table", build.buildTable());
    SqlIdentifier.check("ANN index name", annIndexName(build));
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS " + build.tableSql() + " ("
          + "doc_id " + build.docIdType().sql() + " NOT NULL, "
          + "embedding vector(" + build.dimension() + ") NOT NULL, "
          + "embedding_version text NOT NULL, "
          + "source_snapshot bigint, "
          + "content_hash text NOT NULL)");
      // the version name comes from configuration or the registry: a literal, never spliced in as it is
      s.execute("COMMENT ON TABLE " + build.tableSql() + " IS " + SqlIdentifier.literal("rollback-jobs build "
          + build.id() + " of index " + build.index() + " (" + build.embeddingVersion() + ")"));
    }
  }

  public static String annIndexName(IndexBuild build) {
    return build.buildTable() + "_ann";
  }

  public static String idIndexName(IndexBuild build) {
    return build.buildTable() + "_doc_id";
  }

  /** The b-tree on doc_id: made with the ANN index, or before the load when the build starts with reused vectors. */
  public static String idIndexSql(IndexBuild build) {
    return "CREATE INDEX IF NOT EXISTS " + SqlIdentifier.quote(idIndexName(build)) + " ON " + build.tableSql()
        + " (doc_id)";
  }

  /** Drops a build's table; refuses (by PostgreSQL's own dependency check) while a view still reads it. */
  public static void drop(Connection c, IndexBuild build) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + build.tableSql());
    }
  }

  public static long rows(Connection c, IndexBuild build) throws SQLException {
    try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM " + build.tableSql())) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
