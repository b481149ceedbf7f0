package org.rollbackjobs.vector.index;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rollbackjobs.vector.source.DocIdType;

/**
 * The builds and serving names the suite manages ({@code rollback.index_builds}, {@code rollback.vector_indexes}).
 * Every method works on the caller's connection and transaction.
 */
public final class BuildRegistry {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMNS = "id, index_schema, index_name, build_table, kind, embedding_version, dimension,"
      + " doc_id_type, source, source_snapshot, ann->>'shape' AS ann_shape, status, rows, job_execution_id,"
      + " created_at, serving_since, replaced_at, keep_until, retired_at";

  private BuildRegistry() {}

  /** A new build row (status building) with its table name derived from its id. */
  public static IndexBuild insertBuild(Connection c, IndexName index, String kind, String embeddingVersion,
      int dimension, DocIdType docIdType, String source, Long sourceSnapshot, Map<String, Object> ann,
      Long jobExecutionId, String reason, String actor, String status) throws SQLException {
    long id;
    try (PreparedStatement s = c.prepareStatement("SELECT nextval(pg_get_serial_sequence('rollback.index_builds', 'id'))");
        ResultSet rs = s.executeQuery()) {
      rs.next();
      id = rs.getLong(1);
    }
    String table = index.buildTable(id);
    try (PreparedStatement s = c.prepareStatement("INSERT INTO rollback.index_builds (id, index_schema, index_name,"
        + " build_table, kind, embedding_version, dimension, doc_id_type, source, source_snapshot, ann, status,"
        + " job_execution_id, reason, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?)")) {
      s.setLong(1, id);
      s.setString(2, index.schema());
      s.setString(3, index.name());
      s.setString(4, table);
      s.setString(5, kind);
      s.setString(6, embeddingVersion);
      s.setInt(7, dimension);
      s.setString(8, docIdType.sql());
      s.setString(9, source);
      s.setObject(10, sourceSnapshot);
      s.setString(11, json(ann));
      s.setString(12, status);
      s.setObject(13, jobExecutionId);
      s.setString(14, reason);
      s.setString(15, actor);
      s.executeUpdate();
    }
    return find(c, id).orElseThrow();
  }

  /** Registers a table that already exists under another name (a legacy table about to be renamed). */
  public static IndexBuild insertLegacy(Connection c, IndexName index, String embeddingVersions, int dimension,
      DocIdType docIdType, long rows, String reason, String actor) throws SQLException {
    IndexBuild legacy = insertBuild(c, index, IndexBuild.KIND_LEGACY, embeddingVersions, dimension, docIdType,
        "legacy table " + index, null, Map.of("shape", "unknown"), null, reason, actor, IndexBuild.SERVING);
    try (PreparedStatement s = c.prepareStatement("UPDATE rollback.index_builds SET rows = ? WHERE id = ?")) {
      s.setLong(1, rows);
      s.setLong(2, legacy.id());
      s.executeUpdate();
    }
    return find(c, legacy.id()).orElseThrow();
  }

  public static Optional<IndexBuild> find(Connection c, long id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM rollback.index_builds WHERE id = ?")) {
      s.setLong(1, id);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(map(rs)) : Optional.empty();
      }
    }
  }

  /** Builds of one index, newest first. */
  public static List<IndexBuild> builds(Connection c, IndexName index) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM rollback.index_builds"
        + " WHERE index_schema = ? AND index_name = ? ORDER BY id DESC")) {
      s.setString(1, index.schema());
      s.setString(2, index.name());
      return list(s);
    }
  }

  /** The previous build a switch-back returns to: the most recently replaced one that is not retired. */
  public static Optional<IndexBuild> latestPrevious(Connection c, IndexName index) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM rollback.index_builds"
        + " WHERE index_schema = ? AND index_name = ? AND status = 'previous'"
        + " ORDER BY replaced_at DESC, id DESC LIMIT 1")) {
      s.setString(1, index.schema());
      s.setString(2, index.name());
      List<IndexBuild> builds = list(s);
      return builds.isEmpty() ? Optional.empty() : Optional.of(builds.get(0));
    }
  }

  /** Previous and failed builds whose cool-down ended (of every index when {@code index} is null). */
  public static List<IndexBuild> pastCoolDown(Connection c, IndexName index) throws SQLException {
    String where = index == null ? "" : " AND index_schema = ? AND index_name = ?";
    try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM rollback.index_builds"
        + " WHERE status IN ('previous', 'failed') AND keep_until <= now()" + where + " ORDER BY id")) {
      if (index != null) {
        s.setString(1, index.schema());
        s.setString(2, index.name());
      }
      return list(s);
    }
  }

  public static void setStatus(Connection c, long id, String status) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("UPDATE rollback.index_builds SET status = ? WHERE id = ?")) {
      s.setString(1, status);
      s.setLong(2, id);
      s.executeUpdate();
    }
  }

  public static void setLoaded(Connection c, long id, long rows) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        "UPDATE rollback.index_builds SET status = 'loaded', rows = ? WHERE id = ? AND status = 'building'")) {
      s.setLong(1, rows);
      s.setLong(2, id);
      s.executeUpdate();
    }
  }

  /**
   * Records a validation report: the build becomes {@code validated}, or {@code failed}; a failed build is kept for
   * inspection until {@code keepFailed} from now, then retired like a previous build.
   */
  public static void setValidation(Connection c, long id, boolean passed, Map<String, Object> report,
      Duration keepFailed) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("UPDATE rollback.index_builds SET status = ?, validation = ?::jsonb,"
        + " keep_until = CASE WHEN ? THEN NULL ELSE now() + make_interval(secs => ?) END WHERE id = ?")) {
      s.setString(1, passed ? IndexBuild.VALIDATED : IndexBuild.FAILED);
      s.setString(2, json(report));
      s.setBoolean(3, passed);
      s.setDouble(4, keepFailed.toMillis() / 1000.0);
      s.setLong(5, id);
      s.executeUpdate();
    }
  }

  public static void markServing(Connection c, long id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("UPDATE rollback.index_builds SET status = 'serving',"
        + " serving_since = now(), replaced_at = NULL, keep_until = NULL WHERE id = ?")) {
      s.setLong(1, id);
      s.executeUpdate();
    }
  }

  public static void markPrevious(Connection c, long id, Duration coolDown) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("UPDATE rollback.index_builds SET status = 'previous',"
        + " replaced_at = now(), keep_until = now() + make_interval(secs => ?) WHERE id = ?")) {
      s.setDouble(1, coolDown.toMillis() / 1000.0);
      s.setLong(2, id);
      s.executeUpdate();
    }
  }

  public static void markRetired(Connection c, long id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        "UPDATE rollback.index_builds SET status = 'retired', retired_at = now() WHERE id = ?")) {
      s.setLong(1, id);
      s.executeUpdate();
    }
  }

  /** The serving build recorded for an index, locking its row for the rest of the transaction. */
  public static Optional<ServingRecord> lockIndex(Connection c, IndexName index) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT serving_build_id, dimension FROM rollback.vector_indexes"
        + " WHERE index_schema = ? AND index_name = ? FOR UPDATE")) {
      s.setString(1, index.schema());
      s.setString(2, index.name());
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(new ServingRecord(rs.getObject(1, Long.class), rs.getInt(2))) : Optional.empty();
      }
    }
  }

  public static Optional<ServingRecord> servingRecord(Connection c, IndexName index) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT serving_build_id, dimension FROM rollback.vector_indexes"
        + " WHERE index_schema = ? AND index_name = ?")) {
      s.setString(1, index.schema());
      s.setString(2, index.name());
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(new ServingRecord(rs.getObject(1, Long.class), rs.getInt(2))) : Optional.empty();
      }
    }
  }

  public static void setServing(Connection c, IndexName index, long buildId, int dimension) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO rollback.vector_indexes (index_schema, index_name,"
        + " serving_build_id, dimension) VALUES (?, ?, ?, ?) ON CONFLICT (index_schema, index_name) DO UPDATE"
        + " SET serving_build_id = EXCLUDED.serving_build_id, dimension = EXCLUDED.dimension, updated_at = now()")) {
      s.setString(1, index.schema());
      s.setString(2, index.name());
      s.setLong(3, buildId);
      s.setInt(4, dimension);
      s.executeUpdate();
    }
  }

  /** Every managed index. */
  public static List<IndexName> indexes(Connection c) throws SQLException {
    List<IndexName> names = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement(
        "SELECT index_schema, index_name FROM rollback.vector_indexes ORDER BY 1, 2"); ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        names.add(new IndexName(rs.getString(1), rs.getString(2)));
      }
    }
    return names;
  }

  /** What {@code rollback.vector_indexes} says serves a name. */
  public record ServingRecord(Long buildId, int dimension) {}

  private static List<IndexBuild> list(PreparedStatement s) throws SQLException {
    List<IndexBuild> builds = new ArrayList<>();
    try (ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        builds.add(map(rs));
      }
    }
    return builds;
  }

  private static IndexBuild map(ResultSet rs) throws SQLException {
    return new IndexBuild(
        rs.getLong("id"),
        new IndexName(rs.getString("index_schema"), rs.getString("index_name")),
        rs.getString("build_table"),
        rs.getString("kind"),
        rs.getString("embedding_version"),
        rs.getInt("dimension"),
        DocIdType.parse(rs.getString("doc_id_type")),
        rs.getString("source"),
        rs.getObject("source_snapshot", Long.class),
        rs.getString("ann_shape"),
        rs.getString("status"),
        rs.getObject("rows", Long.class),
        rs.getObject("job_execution_id", Long.class),
        instant(rs.getTimestamp("created_at")),
        instant(rs.getTimestamp("serving_since")),
        instant(rs.getTimestamp("replaced_at")),
        instant(rs.getTimestamp("keep_until")),
        instant(rs.getTimestamp("retired_at")));
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }

  static String json(Map<String, Object> map) {
    try {
      return JSON.writeValueAsString(map == null ? new LinkedHashMap<>() : map);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
