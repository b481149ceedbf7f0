package org.rollbackjobs.vector.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;
import org.apache.iceberg.catalog.Catalog;
import org.postgresql.ds.PGSimpleDataSource;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.testing.TestPostgres;
import org.rollbackjobs.vector.sql.RegistrySchema;

/** The test PostgreSQL (with pgvector) as a DataSource, with the vector registry created, and SQL helpers. */
public final class VectorDb {
  private static DataSource dataSource;
  private static ExecutorService executor;

  private VectorDb() {}

  public static synchronized DataSource dataSource() {
    if (dataSource == null) {
      TestPostgres db = TestPostgres.get();
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setUrl(db.jdbcUrl());
      ds.setUser(db.user());
      ds.setPassword(db.password());
      try (Connection c = ds.getConnection()) {
        RegistrySchema.createIfMissing(c);
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
      dataSource = ds;
    }
    return dataSource;
  }

  /** One pool for the in-process models, as wide as the machine. */
  public static synchronized ExecutorService executor() {
    if (executor == null) {
      executor = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> {
        Thread t = new Thread(r, "embed");
        t.setDaemon(true);
        return t;
      });
    }
    return executor;
  }

  public static Catalog catalog(Path warehouse) {
    return CatalogLoader.load("vector_" + UUID.randomUUID().toString().substring(0, 8),
        TestPostgres.get().jdbcCatalogProperties(warehouse));
  }

  public static void execute(String... statements) {
    try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public static long count(String sql) {
    try (Connection c = dataSource().getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first column of every row, as text. */
  public static List<String> column(String sql) {
    List<String> values = new ArrayList<>();
    try (Connection c = dataSource().getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return values;
  }

  /** The plan of {@code query} with sequential scans disabled: which indexes it can use. */
  public static String plan(String query) {
    try (Connection c = dataSource().getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SET LOCAL enable_seqscan = off");
        StringBuilder plan = new StringBuilder();
        try (ResultSet rs = s.executeQuery("EXPLAIN " + query)) {
          while (rs.next()) {
            plan.append(rs.getString(1)).append('\n');
          }
        }
        return plan.toString();
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** pgvector's text form of a vector, e.g. {@code [0.1,0.2]}. */
  public static String literal(float[] vector) {
    StringBuilder text = new StringBuilder("[");
    for (int i = 0; i < vector.length; i++) {
      if (i > 0) {
        text.append(',');
      }
      text.append(vector[i]);
    }
    return text.append(']').toString();
  }

  /** A schema of its own for a test class. */
  public static String freshSchema(String prefix) {
    String schema = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    execute("CREATE SCHEMA " + schema);
    return schema;
  }
}
