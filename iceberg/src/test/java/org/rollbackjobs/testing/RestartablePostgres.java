package org.rollbackjobs.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/**
 * A PostgreSQL 17 with pgvector of a test's own, which the test may restart or stop in the middle of a command
 * without disturbing the server every other test shares ({@link TestPostgres}). It is a second server from the
 * same root that {@code .ci/pgvector-local.sh} bootstraps: its own data directory ({@code ROLLBACK_PG_DATA}) and a
 * free port, made on first use and kept for later runs. Needs what that script needs (Linux, root); a test that
 * cannot have it should not pretend otherwise, so {@link #start} fails with the script's reason.
 */
public final class RestartablePostgres implements AutoCloseable {
  private final Map<String, String> env;
  private final String serverUrl;
  private final String database;

  private RestartablePostgres(Map<String, String> env, String serverUrl, String database) {
    this.env = env;
    this.serverUrl = serverUrl;
    this.database = database;
  }

  /** Starts (or reuses) the server with data directory {@code /var/lib/rollback-pg/NAME} and makes a new database. */
  public static RestartablePostgres start(String name) {
    if (!name.matches("[a-z][a-z0-9-]{0,40}")) {
      throw new IllegalArgumentException("server name: lower-case letters, digits and '-': " + name);
    }
    Map<String, String> env = Map.of("ROLLBACK_PG_DATA", "/var/lib/rollback-pg/" + name,
        "ROLLBACK_PG_PORT", Integer.toString(freePort()));
    String url = TestPostgres.runScript(env, "start");
    String database = "rollback_fault_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database); // from template1, which has the vector extension
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a database on " + url, e);
    }
    return new RestartablePostgres(env, url, database);
  }

  public String jdbcUrl() {
    return serverUrl.replaceFirst("/[^/]*$", "/" + database);
  }

  public String user() {
    return "postgres";
  }

  public String password() {
    return "";
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), user(), password());
  }

  /**
   * Stops the server the way an operator's restart does ({@code pg_ctl -m fast}: every session ends, open
   * transactions roll back) and starts it again; returns once it accepts connections.
   */
  public void restart() {
    TestPostgres.runScript(env, "restart");
  }

  public void stop() {
    TestPostgres.runScript(env, "stop");
  }

  /** Starts it again after {@link #stop}. */
  public void startAgain() {
    TestPostgres.runScript(env, "start");
  }

  /** Stops the server (its data directory stays for the next run; each run makes a database of its own). */
  @Override
  public void close() {
    try {
      stop();
    } catch (IllegalStateException alreadyStopped) {
      // nothing to stop
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }
}
