package org.rollbackjobs.jobs.config;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.Location;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.flyway.FlywayMigrationStrategy;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Flyway's migration at start, skipped when the schema is current: every versioned migration in the JAR is
 * applied (one query of Flyway's history table), nothing failed, and there is no repeatable migration. A full
 * {@code migrate} (resolving and validating every migration, with its locks) costs a command hundreds of
 * milliseconds; it runs whenever the check cannot show the schema current (a new database, a new migration, a
 * failed one, a location that is not on the class path).
 */
final class SchemaCheck implements FlywayMigrationStrategy {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaCheck.class);

  @Override
  public void migrate(Flyway flyway) {
    if (current(flyway.getConfiguration())) {
      LOG.debug("schema current; Flyway's migrate skipped");
      return;
    }
    flyway.migrate();
  }

  static boolean current(Configuration config) {
    try {
      Set<MigrationVersion> available = available(config);
      return available != null && !available.isEmpty() && applied(config).containsAll(available);
    } catch (SQLException | IOException | RuntimeException e) {
      LOG.debug("schema check inconclusive, migrating: {}", e.toString());
      return false;
    }
  }

  /** The versions of the migrations in the configured locations; null when they cannot be listed here. */
  private static Set<MigrationVersion> available(Configuration config) throws IOException {
    if (config.getJavaMigrations().length > 0 || config.getResolvers().length > 0) {
      return null;
    }
    Pattern versioned = Pattern.compile(Pattern.quote(config.getSqlMigrationPrefix()) + "(.+?)"
        + Pattern.quote(config.getSqlMigrationSeparator()) + ".*");
    PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver(config.getClassLoader());
    Set<MigrationVersion> versions = new HashSet<>();
    for (Location location : config.getLocations()) {
      if (!location.isClassPath()) {
        return null;
      }
      for (Resource resource : resolver.getResources("classpath*:" + location.getRootPath() + "/*")) {
        String name = resource.getFilename();
        if (name == null || !isSql(name, config)) {
          continue;
        }
        if (name.startsWith(config.getRepeatableSqlMigrationPrefix())) {
          return null;
        }
        Matcher m = versioned.matcher(name);
        if (m.matches()) {
          versions.add(MigrationVersion.fromVersion(m.group(1)));
        }
      }
    }
    return versions;
  }

  private static boolean isSql(String name, Configuration config) {
    for (String suffix : config.getSqlMigrationSuffixes()) {
      if (name.endsWith(suffix)) {
        return true;
      }
    }
    return false;
  }

  /** The versions applied successfully; empty if the history table is missing or any migration failed. */
  private static Set<MigrationVersion> applied(Configuration config) throws SQLException {
    String schema = config.getDefaultSchema() != null ? config.getDefaultSchema()
        : config.getSchemas().length > 0 ? config.getSchemas()[0] : null;
    if (schema == null) {
      return Set.of();
    }
    DataSource dataSource = config.getDataSource();
    Set<MigrationVersion> versions = new HashSet<>();
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      try (ResultSet exists = s.executeQuery("select to_regclass('" + quote(schema) + "." + quote(config.getTable())
          + "') is not null")) {
        if (!exists.next() || !exists.getBoolean(1)) {
          return Set.of();
        }
      }
      try (ResultSet rs = s.executeQuery("select version, success from " + quote(schema) + "."
          + quote(config.getTable()) + " where version is not null")) {
        while (rs.next()) {
          if (!rs.getBoolean(2)) {
            return Set.of();
          }
          versions.add(MigrationVersion.fromVersion(rs.getString(1)));
        }
      }
    }
    return versions;
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"").replace("'", "''") + "\"";
  }
}
