package org.rollbackjobs.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A real PostgreSQL with pgvector for the tests, found in this order:
 *
 * <ol>
 *   <li>{@code ROLLBACK_TEST_JDBC_URL} (with {@code ROLLBACK_TEST_JDBC_USER}, {@code ROLLBACK_TEST_JDBC_PASSWORD}),
 *   <li>Testcontainers with {@code pgvector/pgvector:0.8.0-pg17} when a Docker engine answers,
 *   <li>the project's own {@code .ci/pgvector-local.sh}, which starts PostgreSQL 17 with pgvector without Docker.
 * </ol>
 *
 * <p>Never skips: when none of them gives a server the tests fail with the reason. Each test JVM works in a
 * database of its own, created here and dropped at exit (set {@code ROLLBACK_TEST_KEEP_DB=1} to keep it).
 */
public final class TestPostgres {
  public static final String URL_ENV = "ROLLBACK_TEST_JDBC_URL";
  public static final String USER_ENV = "ROLLBACK_TEST_JDBC_USER";
  public static final String PASSWORD_ENV = "ROLLBACK_TEST_JDBC_PASSWORD";
  /**
   * The Testcontainers image, pinned to an exact pgvector release: the pgvector 0.8.0 that
   * {@code .ci/pgvector-local.sh} installs (Debian trixie's postgresql-17-pgvector) on PostgreSQL 17, so both
   * ways of running the tests test the same extension. A floating tag such as {@code pg17} would move on its own.
   */
  public static final String IMAGE = "pgvector/pgvector:0.8.0-pg17";

  private static TestPostgres instance;

  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final String source;

  private TestPostgres(String jdbcUrl, String user, String password, String source) {
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.source = source;
  }

  public static synchronized TestPostgres get() {
    if (instance == null) {
      instance = start();
    }
    return instance;
  }

  /** JDBC URL of this test JVM's own database. */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /** Where the server came from: env, testcontainers or script. */
  public String source() {
    return source;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl, user, password);
  }

  /** A plain (unpooled) data source of this database. */
  public DataSource dataSource() {
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setUrl(jdbcUrl);
    source.setUser(user);
    source.setPassword(password);
    return source;
  }

  /** Iceberg catalog properties for a JDBC catalog in this database with its warehouse in {@code warehouse}. */
  public Map<String, String> jdbcCatalogProperties(Path warehouse) {
    Map<String, String> props = new HashMap<>();
    props.put("type", "jdbc");
    props.put("uri", jdbcUrl);
    props.put("jdbc.user", user);
    props.put("jdbc.password", password);
    props.put("warehouse", warehouse.toAbsolutePath().toString());
    return props;
  }

  private static TestPostgres start() {
    String url = System.getenv(URL_ENV);
    TestPostgres server;
    if (url != null && !url.isBlank()) {
      server = new TestPostgres(url, envOr(USER_ENV, "postgres"), envOr(PASSWORD_ENV, ""), "env " + URL_ENV);
    } else if (dockerAnswers()) {
      PostgreSQLContainer<?> container = new PostgreSQLContainer<>(
          DockerImageName.parse(IMAGE).asCompatibleSubstituteFor("postgres"));
      container.start();
      server = new TestPostgres(container.getJdbcUrl(), container.getUsername(), container.getPassword(), "testcontainers");
    } else {
      server = new TestPostgres(startWithScript(), "postgres", "", "script .ci/pgvector-local.sh");
    }
    return server.newDatabase();
  }

  private static boolean dockerAnswers() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static String startWithScript() {
    String url = runScript(Map.of(), "start");
    if (url.isEmpty()) {
      throw new IllegalStateException("no test database: " + URL_ENV + " is not set, no Docker engine answers,"
          + " and .ci/pgvector-local.sh printed no JDBC URL");
    }
    return url;
  }

  /**
   * Runs {@code .ci/pgvector-local.sh COMMAND} with {@code env} added (its settings: ROLLBACK_PG_PORT,
   * ROLLBACK_PG_DATA) and returns the last line it printed (start and restart print the JDBC URL).
   */
  static String runScript(Map<String, String> env, String command) {
    Path script = findScript();
    try {
      File out = File.createTempFile("pgvector-local", ".out");
      out.deleteOnExit();
      ProcessBuilder builder = new ProcessBuilder("bash", script.toString(), command)
          .redirectOutput(out)
          .redirectError(ProcessBuilder.Redirect.INHERIT);
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(15, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException(script + " " + command + " did not finish within 15 minutes");
      }
      List<String> lines = Files.readAllLines(out.toPath(), StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(script + " " + command + " " + env + " failed with exit "
            + process.exitValue() + " (see its messages above)");
      }
      return lines.isEmpty() ? "" : lines.get(lines.size() - 1).trim();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + script + " " + command, e);
    }
  }

  private static Path findScript() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(".ci").resolve("pgvector-local.sh");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("no test database: " + URL_ENV + " is not set, no Docker engine answers, and"
        + " .ci/pgvector-local.sh was not found above " + Path.of("").toAbsolutePath());
  }

  /**
   * A new database with the vector extension on the same server (dropped when the JVM exits): for a test that needs
   * one nothing else has touched, such as a first migration.
   */
  public TestPostgres newDatabase() {
    String database = "rollback_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database on " + jdbcUrl + " (" + source + ")", e);
    }
    TestPostgres own = new TestPostgres(withDatabase(jdbcUrl, database), user, password, source);
    try (Connection c = own.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS vector");
    } catch (SQLException e) {
      throw new IllegalStateException("the test database has no pgvector extension (" + source + ")", e);
    }
    if (System.getenv("ROLLBACK_TEST_KEEP_DB") == null) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(database)));
    }
    return own;
  }

  private void drop(String database) {
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    try (Connection c = DriverManager.getConnection(jdbcUrl.replace("/" + database, "/postgres"), props);
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    } catch (SQLException e) {
      // best effort: a leftover test database is harmless
    }
  }

  static String withDatabase(String url, String database) {
    int query = url.indexOf('?');
    String base = query < 0 ? url : url.substring(0, query);
    String params = query < 0 ? "" : url.substring(query);
    int slash = base.indexOf('/', "jdbc:postgresql://".length());
    return (slash < 0 ? base : base.substring(0, slash)) + "/" + database + params;
  }

  private static String envOr(String name, String fallback) {
    String value = System.getenv(name);
    return value == null ? fallback : value;
  }
}
