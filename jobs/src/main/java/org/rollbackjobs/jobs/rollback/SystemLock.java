package org.rollbackjobs.jobs.rollback;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.rollbackjobs.jobs.launch.RefusedException;
import org.springframework.stereotype.Component;

/**
 * One rollback or drill of a system at a time, across processes and machines: a PostgreSQL session-level advisory
 * lock on the system's name, held by a connection of the process that runs the flow. PostgreSQL releases it when
 * that session ends, so a holder that dies (also by SIGKILL, or with its machine) leaves nothing locked.
 */
@Component
public class SystemLock {
  /** The first key of the two-key advisory lock: ours (ASCII "RBSY"), so other users of advisory locks differ. */
  private static final int NAMESPACE = 0x52425359;

  private final DataSource dataSource;

  public SystemLock(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The lock of the system, held until closed; a guard refusal (exit 4) naming the holder when it is taken. */
  public Held acquire(String system) {
    Connection c = null;
    try {
      c = dataSource.getConnection();
      c.setAutoCommit(true);
      try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(?, hashtext(?))")) {
        s.setInt(1, NAMESPACE);
        s.setString(2, system);
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          if (rs.getBoolean(1)) {
            return new Held(c, system);
          }
        }
      }
      String holder = holder(c, system);
      c.close();
      throw new RefusedException("a rollback or drill of system " + system + " is running (" + holder + ");"
          + " wait for it to end, or see 'status'");
    } catch (SQLException e) {
      closeQuietly(c);
      throw new IllegalStateException("cannot take the lock of system " + system + ": " + e.getMessage(), e);
    }
  }

  /** Whether the lock is free now (for a dry run's guard); takes and releases it at once. */
  public String checkFree(String system) {
    try (Held held = acquire(system)) {
      return null;
    } catch (RefusedException e) {
      return e.getMessage();
    }
  }

  private static String holder(Connection c, String system) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT a.pid, a.client_addr, a.backend_start, a.application_name"
        + " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
        + " AND l.classid = ?::int4::oid AND l.objid = hashtext(?)::oid AND l.objsubid = 2")) {
      s.setInt(1, NAMESPACE);
      s.setString(2, system);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return "its holder ended just now";
        }
        return "held by PostgreSQL backend " + rs.getInt("pid") + " of " + (rs.getString("client_addr") == null
            ? "a local client" : rs.getString("client_addr")) + " since " + rs.getTimestamp("backend_start").toInstant();
      }
    }
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // the lock (if any) goes with the session
      }
    }
  }

  /** A held lock; closing it releases the lock (or, if that fails, ends the session, which releases it too). */
  public static final class Held implements AutoCloseable {
    private final Connection connection;
    private final String system;

    private Held(Connection connection, String system) {
      this.connection = connection;
      this.system = system;
    }

    @Override
    public void close() {
      try (PreparedStatement s = connection.prepareStatement("SELECT pg_advisory_unlock(?, hashtext(?))")) {
        s.setInt(1, NAMESPACE);
        s.setString(2, system);
        s.execute();
        connection.close();
      } catch (SQLException e) {
        try {
          connection.abort(Runnable::run); // a pooled session must not keep the lock
        } catch (SQLException ignored) {
          // nothing more to do: the session is gone either way
        }
      }
    }
  }
}
