package org.rollbackjobs.vector.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The registry tables of the vector side live in schema {@code rollback}. The application creates them with
 * Flyway ({@code classpath:db/migration/vector}); this applies the same script for users of the library alone
 * (and its tests), when the tables are not there yet.
 */
public final class RegistrySchema {
  public static final String SCHEMA = "rollback";
  public static final String MIGRATION = "db/migration/vector/V3__embedding_registry_and_index_builds.sql";

  private RegistrySchema() {}

  public static void createIfMissing(Connection connection) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
      s.execute("SELECT pg_advisory_xact_lock(hashtext('rollback-jobs vector registry schema'))");
      boolean present;
      try (var rs = s.executeQuery("SELECT to_regclass('" + SCHEMA + ".index_builds') IS NOT NULL")) {
        rs.next();
        present = rs.getBoolean(1);
      }
      if (!present) {
        s.execute("SET LOCAL search_path TO " + SCHEMA);
        s.execute(script());
      }
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private static String script() {
    try (InputStream in = RegistrySchema.class.getClassLoader().getResourceAsStream(MIGRATION)) {
      if (in == null) {
        throw new IllegalStateException("migration " + MIGRATION + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
