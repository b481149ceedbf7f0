package org.rollbackjobs.vector.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.rollbackjobs.vector.embedding.EmbeddingRegistry;
import org.rollbackjobs.vector.embedding.EmbeddingVersion;
import org.rollbackjobs.vector.embedding.RegisteredVersion;

/**
 * The embedding-version registry is one per database, shared by every test of a JVM. A test that depends on the
 * status of a version says so ({@link #deployed}), and a test that changes statuses puts them back when it ends
 * ({@link #snapshot}), so that no test depends on which tests ran before it.
 */
public final class Registry {
  private Registry() {}

  /** Registers each version and makes it active: the registry as it is right after the versions' deploys. */
  public static void deployed(DataSource db, EmbeddingVersion... versions) {
    try (Connection c = db.getConnection()) {
      for (EmbeddingVersion v : versions) {
        EmbeddingRegistry.ensure(c, v);
        EmbeddingRegistry.setStatus(c, v.name(), RegisteredVersion.ACTIVE, "deployed (test fixture)", null);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The statuses of the registry now; {@link Snapshot#restore()} puts them back (versions registered since stay registered). */
  public static Snapshot snapshot(DataSource db) {
    List<Object[]> rows = new ArrayList<>();
    try (Connection c = db.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name, status, status_reason, status_changed_at, quarantined_by_build"
            + " FROM rollback.embedding_versions")) {
      while (rs.next()) {
        rows.add(new Object[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4),
            rs.getObject(5, Long.class)});
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return new Snapshot(db, rows);
  }

  /** Statuses of the registry at one moment. */
  public static final class Snapshot {
    private final DataSource db;
    private final List<Object[]> rows;

    private Snapshot(DataSource db, List<Object[]> rows) {
      this.db = db;
      this.rows = rows;
    }

    public void restore() {
      try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("UPDATE"
          + " rollback.embedding_versions SET status = ?, status_reason = ?, status_changed_at = ?,"
          + " quarantined_by_build = ? WHERE name = ?")) {
        for (Object[] row : rows) {
          s.setString(1, (String) row[1]);
          s.setString(2, (String) row[2]);
          s.setTimestamp(3, (java.sql.Timestamp) row[3]);
          s.setObject(4, row[4]);
          s.setString(5, (String) row[0]);
          s.addBatch();
        }
        s.executeBatch();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
