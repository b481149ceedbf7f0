package org.rollbackjobs.vector.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The registry tables of the vector side live in schema {@code rollback}. The application creates them with
 * Flyway ({@code classpath:db/migration/vector}); this applies the same script for users of the library alone
 * (and its tests), each script whose tables are not there yet.
 */
public final class RegistrySchema {
  public static final String SCHEMA = "rollback";
  /** The vector module's migrations, in order, each with a table it creates (its presence says it ran). */
  private static final List<String[]> MIGRATIONS = List.of(
      new String[] {"db/migration/vector/V3__embedding_registry_and_index_builds.sql", "index_builds"},
      new String[] {"db/migration/vector/V9__embedding_cache.sql", "embedding_cache"});

  private RegistrySchema() {}

  public static void createIfMissing(Connection connection) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement s = connection.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
      s.execute("SELECT pg_advisory_xact_lock(hashtext('rollback-jobs vector registry schema'))");
      s.execute("SET LOCAL search_path TO " + SCHEMA + ", public");
      for (String[] migration : MIGRATIONS) {
        boolean present;
        try (var rs = s.executeQuery("SELECT to_regclass('" + SCHEMA + "." + migration[1] + "') IS NOT NULL")) {
          rs.next();
          present = rs.getBoolean(1);
        }
        if (!present) {
          s.execute(script(migration[0]));
        }
      }
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private static String script(String migration) {
    try (InputStream in = RegistrySchema.class.getClassLoader().getResourceAsStream(migration)) {
      if (in == null) {
        throw new IllegalStateException("migration " + migration + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
