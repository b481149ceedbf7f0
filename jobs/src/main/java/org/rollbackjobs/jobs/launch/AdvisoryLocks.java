package org.rollbackjobs.jobs.launch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * Guards across processes and machines: PostgreSQL session-level advisory locks, held by one connection of the
 * process that does the work until it closes them. PostgreSQL releases them when that session ends, so a holder
 * that dies (also by SIGKILL, or with its machine) leaves nothing locked. Locks are only tried, never waited for:
 * a conflict is a refusal (exit 4) that names the holder, and no two runs can wait for each other.
 *
 * <p>A held set of locks occupies one connection of the pool for as long as it is held (see
 * docs/configuration.md, {@code spring.datasource.hikari.maximum-pool-size}).
 */
@Component
public class AdvisoryLocks {
  private final DataSource dataSource;

  public AdvisoryLocks(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The session that holds a conflicting lock, as PostgreSQL knows it. */
  public record Holder(int backendPid, String client, Instant since) {
    /** {@code PostgreSQL backend 4711 of 10.0.0.5 since 2026-12-01T10:00:00Z}. */
    @Override
    public String toString() {
      return "PostgreSQL backend " + backendPid + " of " + (client == null ? "a local client" : client) + " since "
          + since;
    }
  }

  /**
   * A claim that could not be taken, and who holds it (null if its holder ended just now). {@code shared} is how
   * the holder holds it: reading (true) or writing.
   */
  public record Conflict(LockClaim claim, Holder holder, boolean shared) {
    /** {@code held by PostgreSQL backend ...}, as the system lock has always said it. */
    public String heldBy() {
      return holder == null ? "its holder ended just now" : "held by " + holder;
    }
  }

  /**
   * Takes every claim on one connection, or none: the first claim that is held elsewhere is a refusal whose
   * message {@code refusal} writes. No claims: nothing is taken and no connection is used.
   */
  public Held acquire(List<LockClaim> claims, Function<Conflict, String> refusal) {
    if (claims.isEmpty()) {
      return new Held(null, null);
    }
    Connection c = null;
    try {
      c = dataSource.getConnection();
      c.setAutoCommit(true);
      for (LockClaim claim : claims) {
        if (!tryLock(c, claim)) {
          Conflict conflict = holder(c, claim);
          unlockAll(c);
          c.close();
          throw new RefusedException(refusal.apply(conflict == null ? new Conflict(claim, null, false) : conflict));
        }
      }
      return new Held(c, backendPid(c));
    } catch (SQLException e) {
      abort(c);
      throw new IllegalStateException("cannot take the lock of " + claims.get(0).object() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The refusal {@link #acquire} would give now, or null when every claim is free. Only looks: a dry run never
   * holds a lock, so it cannot refuse a real run.
   */
  public String conflict(List<LockClaim> claims, Function<Conflict, String> refusal) {
    if (claims.isEmpty()) {
      return null;
    }
    try (Connection c = dataSource.getConnection()) {
      for (LockClaim claim : claims) {
        Conflict conflict = holder(c, claim);
        if (conflict != null) {
          return refusal.apply(conflict);
        }
      }
      return null;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot look up the lock of " + claims.get(0).object() + ": " + e.getMessage(),
          e);
    }
  }

  /** Whether any session holds a lock of this kind and name now (for listing what a crash left behind). */
  public boolean held(LockClaim.Kind kind, String name) {
    return exists("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
        + " AND classid = ?::int4::oid AND objid = hashtext(?)::oid AND objsubid = 2)", kind.namespace(), name);
  }

  /** Whether PostgreSQL backend {@code backendPid} is alive and holds one of our locks (a run's session). */
  public boolean holdsAny(int backendPid) {
    return exists("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = ?"
        + " AND objsubid = 2 AND classid IN (" + String.join(", ", java.util.Arrays.stream(LockClaim.Kind.values())
            .map(k -> k.namespace() + "::oid").toList()) + "))", backendPid);
  }

  private boolean exists(String sql, Object... args) {
    try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the advisory locks: " + e.getMessage(), e);
    }
  }

  private static boolean tryLock(Connection c, LockClaim claim) throws SQLException {
    String function = claim.shared() ? "pg_try_advisory_lock_shared" : "pg_try_advisory_lock";
    try (PreparedStatement s = c.prepareStatement("SELECT " + function + "(?, hashtext(?))")) {
      s.setInt(1, claim.kind().namespace());
      s.setString(2, claim.name());
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /**
   * Who holds the claim's lock in a way that excludes it (a writer first; a reader excludes writers only), or
   * null. Another session's, never this one's: a session's own locks do not exclude each other.
   */
  private static Conflict holder(Connection c, LockClaim claim) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT a.pid, a.client_addr, a.backend_start, l.mode"
        + " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
        + " AND l.classid = ?::int4::oid AND l.objid = hashtext(?)::oid AND l.objsubid = 2"
        + " AND a.pid <> pg_backend_pid() AND (NOT ? OR l.mode = 'ExclusiveLock')"
        + " ORDER BY l.mode = 'ShareLock', a.backend_start")) {
      s.setInt(1, claim.kind().namespace());
      s.setString(2, claim.name());
      s.setBoolean(3, claim.shared());
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return new Conflict(claim, new Holder(rs.getInt("pid"), rs.getString("client_addr"),
            rs.getTimestamp("backend_start").toInstant()), "ShareLock".equals(rs.getString("mode")));
      }
    }
  }

  private static int backendPid(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT pg_backend_pid()"); ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static void unlockAll(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_unlock_all()")) {
      s.execute();
    }
  }

  /** Ends the session (a pooled session must not keep a lock): aborting it closes it on the server too. */
  private static void abort(Connection c) {
    if (c != null) {
      try {
        c.abort(Runnable::run);
      } catch (SQLException ignored) {
        // nothing more to do: the session is gone either way
      }
    }
  }

  /**
   * Held locks; closing releases them (or, if that fails, ends the session, which releases them too). The
   * connection is this holder's alone: nothing else runs on it, so a lock is never released by someone else.
   */
  public static final class Held implements AutoCloseable {
    private final Connection connection;
    private final Integer backendPid;

    private Held(Connection connection, Integer backendPid) {
      this.connection = connection;
      this.backendPid = backendPid;
    }

    /** The PostgreSQL backend that holds the locks (what a refused run sees), or null when nothing is held. */
    public Integer backendPid() {
      return backendPid;
    }

    @Override
    public void close() {
      if (connection == null) {
        return;
      }
      try {
        unlockAll(connection);
        connection.close();
      } catch (SQLException e) {
        abort(connection);
      }
    }
  }
}
