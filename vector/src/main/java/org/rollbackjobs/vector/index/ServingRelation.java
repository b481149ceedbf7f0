package org.rollbackjobs.vector.index;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rollbackjobs.vector.source.DocIdType;

/** Reads what the serving name currently is: nothing, the suite's view, or a table made outside the suite. */
public final class ServingRelation {
  /** The comment every serving view carries; a view without it was not made by the suite. */
  public static final String VIEW_COMMENT_PREFIX = "rollback-jobs serving view";

  private ServingRelation() {}

  public static ServingState inspect(Connection c, IndexName index) throws SQLException {
    Long oid = null;
    String relkind = null;
    String comment = null;
    try (PreparedStatement s = c.prepareStatement("SELECT c.oid, c.relkind::text, obj_description(c.oid, 'pg_class')"
        + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
      s.setString(1, index.schema());
      s.setString(2, index.name());
      try (ResultSet rs = s.executeQuery()) {
        if (rs.next()) {
          oid = rs.getLong(1);
          relkind = rs.getString(2);
          comment = rs.getString(3);
        }
      }
    }
    if (oid == null) {
      return new ServingState(index, ServingState.Kind.NONE, null, null, null, Map.of(), 0, List.of());
    }
    Map<String, Column> columns = columns(c, oid);
    List<String> problems = new ArrayList<>();
    Column docId = columns.get("doc_id");
    Column embedding = columns.get("embedding");
    Column version = columns.get("embedding_version");
    if (docId == null || embedding == null || version == null) {
      problems.add(index + " has columns " + columns.keySet() + "; a serving relation needs doc_id, embedding"
          + " (vector) and embedding_version (text)");
    } else if (!"vector".equals(embedding.typeName())) {
      problems.add("column embedding of " + index + " is " + embedding.type() + ", not a pgvector vector");
    }
    DocIdType idType = docId == null ? null : docIdType(docId);
    if (docId != null && idType == null) {
      problems.add("column doc_id of " + index + " is " + docId.type() + "; supported: bigint, integer, text, varchar");
    }

    Optional<BuildRegistry.ServingRecord> record = BuildRegistry.servingRecord(c, index);
    boolean view = "v".equals(relkind);
    boolean managed = view && record.isPresent() && comment != null && comment.startsWith(VIEW_COMMENT_PREFIX);
    if (managed) {
      Long buildId = record.get().buildId();
      IndexBuild build = buildId == null ? null : BuildRegistry.find(c, buildId).orElse(null);
      Map<String, Long> versions = new LinkedHashMap<>();
      long rows = 0;
      if (build != null) {
        rows = build.rows() == null ? 0 : build.rows();
        for (String v : build.embeddingVersion().split(",")) {
          versions.put(v, build.legacy() ? -1L : rows); // per-version counts of a legacy build are not kept
        }
      }
      return new ServingState(index, ServingState.Kind.MANAGED_VIEW, buildId, idType, record.get().dimension(),
          versions, rows, problems);
    }
    boolean table = "r".equals(relkind) || "p".equals(relkind);
    if (!table) {
      problems.add(index + " is a " + describeRelkind(relkind) + (view ? " that rollback-jobs did not create" : "")
          + "; only a table (the first time) or the suite's own serving view can be switched");
      return new ServingState(index, ServingState.Kind.OTHER, null, idType, null, Map.of(), 0, problems);
    }
    if (!problems.isEmpty()) {
      return new ServingState(index, ServingState.Kind.TABLE, null, idType, null, Map.of(), 0, problems);
    }
    // a table made outside the suite: what is in it decides the dimension and the versions it holds
    Map<String, Long> versions = new LinkedHashMap<>();
    Integer dimension = embedding.typmod() > 0 ? embedding.typmod() : null;
    long rows = 0;
    try (PreparedStatement s = c.prepareStatement("SELECT embedding_version::text, min(vector_dims(embedding)),"
        + " max(vector_dims(embedding)), count(*) FROM " + index.sql() + " GROUP BY 1 ORDER BY 1")) {
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          String v = rs.getString(1);
          versions.put(v == null ? "(null)" : v, rs.getLong(4));
          rows += rs.getLong(4);
          int min = rs.getInt(2);
          int max = rs.getInt(3);
          if (!rs.wasNull()) {
            if (min != max || (dimension != null && dimension != min)) {
              problems.add(index + " holds vectors of several dimensions (" + min + " to " + max + ")");
            }
            dimension = dimension == null ? min : dimension;
          }
        }
      }
    }
    return new ServingState(index, ServingState.Kind.TABLE, null, idType, dimension, versions, rows, problems);
  }

  /** Grantees with SELECT on the serving relation, so that a view replacing a table keeps them. */
  static List<String> selectGrantees(Connection c, IndexName index) throws SQLException {
    List<String> grantees = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement("SELECT DISTINCT CASE WHEN grantee = 'PUBLIC' THEN 'PUBLIC'"
        + " ELSE quote_ident(grantee) END FROM information_schema.role_table_grants WHERE table_schema = ?"
        + " AND table_name = ? AND privilege_type = 'SELECT' AND grantee <> current_user")) {
      s.setString(1, index.schema());
      s.setString(2, index.name());
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          grantees.add(rs.getString(1));
        }
      }
    }
    return grantees;
  }

  record Column(String type, String typeName, int typmod) {}

  static Map<String, Column> columns(Connection c, long oid) throws SQLException {
    Map<String, Column> columns = new HashMap<>();
    try (PreparedStatement s = c.prepareStatement("SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typname,"
        + " a.atttypmod FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
        + " WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
      s.setLong(1, oid);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          columns.put(rs.getString(1), new Column(rs.getString(2), rs.getString(3), rs.getInt(4)));
        }
      }
    }
    return columns;
  }

  static DocIdType docIdType(Column column) {
    return switch (column.typeName()) {
      case "int8", "int4", "int2" -> DocIdType.BIGINT;
      case "text", "varchar", "bpchar" -> DocIdType.TEXT;
      default -> null;
    };
  }

  private static String describeRelkind(String relkind) {
    return switch (relkind) {
      case "v" -> "view";
      case "m" -> "materialized view";
      case "f" -> "foreign table";
      case "i", "I" -> "index";
      case "S" -> "sequence";
      default -> "relation of kind " + relkind;
    };
  }
}
