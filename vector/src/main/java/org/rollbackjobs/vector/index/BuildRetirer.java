package org.rollbackjobs.vector.index;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Drops previous builds whose cool-down has ended (and builds that failed validation, kept as long for inspection). Each build is dropped in its own transaction together with its
 * registry row's change; the serving build is never touched (its status is not {@code previous}, and PostgreSQL
 * refuses to drop a table the serving view reads).
 */
public final class BuildRetirer {
  private BuildRetirer() {}

  /** Retires the expired previous builds of {@code index} (of every index when null); returns them. */
  public static List<IndexBuild> retire(Connection c, IndexName index) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    List<IndexBuild> retired = new ArrayList<>();
    try {
      for (IndexBuild build : BuildRegistry.pastCoolDown(c, index)) {
        ServingSwitch.lockIndex(c, build.index());
        IndexBuild fresh = BuildRegistry.find(c, build.id()).orElseThrow();
        if (!IndexBuild.PREVIOUS.equals(fresh.status()) && !IndexBuild.FAILED.equals(fresh.status())) {
          c.rollback(); // switched back to meanwhile
          continue;
        }
        BuildTable.drop(c, fresh);
        BuildRegistry.markRetired(c, fresh.id());
        c.commit();
        retired.add(fresh);
      }
      return retired;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }
}
