package org.rollbackjobs.vector.verify;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.rollbackjobs.vector.index.BuildRegistry;
import org.rollbackjobs.vector.index.IndexBuild;
import org.rollbackjobs.vector.index.IndexName;

/**
 * What a serving view really reads, from PostgreSQL's catalog (the view's rewrite rule depends on the tables it
 * selects from), not from the registry: a view replaced by hand with psql is seen as it is.
 */
final class ServingView {
  private ServingView() {}

  /** A table behind the serving name. */
  record Table(String schema, String name, long oid) {
    String qualified() {
      return schema + "." + name;
    }
  }

  /** The tables (and partitioned tables) the view {@code index} selects from, by schema and name. */
  static List<Table> readTables(Connection c, IndexName index) throws SQLException {
    List<Table> tables = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement("SELECT DISTINCT n.nspname, t.relname, t.oid FROM pg_rewrite r"
        + " JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid"
        + " AND d.refclassid = 'pg_class'::regclass"
        + " JOIN pg_class t ON t.oid = d.refobjid AND t.relkind IN ('r', 'p')"
        + " JOIN pg_namespace n ON n.oid = t.relnamespace"
        + " WHERE r.ev_class = to_regclass(?) AND d.refobjid <> r.ev_class ORDER BY 1, 2")) {
      s.setString(1, index.sql());
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          tables.add(new Table(rs.getString(1), rs.getString(2), rs.getLong(3)));
        }
      }
    }
    return tables;
  }

  /** The registered build of {@code index} whose table is {@code table}, if it is one. */
  static Optional<IndexBuild> buildOf(Connection c, IndexName index, Table table) throws SQLException {
    if (!table.schema().equals(index.schema())) {
      return Optional.empty();
    }
    return BuildRegistry.builds(c, index).stream().filter(b -> b.buildTable().equals(table.name())).findFirst();
  }

  /**
   * The build the serving name reads: the registered build of the one table the view selects from; when the view
   * reads no registered build (or several tables), empty.
   */
  static Optional<IndexBuild> buildRead(Connection c, IndexName index, List<Table> tables) throws SQLException {
    return tables.size() == 1 ? buildOf(c, index, tables.get(0)) : Optional.empty();
  }

  /** Column names of the relation {@code index}. */
  static Set<String> columns(Connection c, IndexName index) throws SQLException {
    Set<String> columns = new LinkedHashSet<>();
    try (PreparedStatement s = c.prepareStatement("SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(?)"
        + " AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
      s.setString(1, index.sql());
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          columns.add(rs.getString(1));
        }
      }
    }
    return columns;
  }
}
