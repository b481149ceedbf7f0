package org.rollbackjobs.jobs.config;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.Location;
import org.flywaydb.core.api.MigrationVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.flyway.FlywayConnectionDetails;
import org.springframework.boot.autoconfigure.flyway.FlywayMigrationStrategy;
import org.springframework.boot.autoconfigure.flyway.FlywayProperties;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Flyway's migration at start, skipped when the schema is current: every versioned migration in the JAR is
 * applied (one query of Flyway's history table), nothing failed, and there is no repeatable or Java migration.
 * A full {@code migrate} (resolving and validating every migration, with its locks) costs a command hundreds of
 * milliseconds; it runs whenever the check cannot show the schema current (a new database, a new migration, a
 * failed one, a location that is not on the class path).
 *
 * <p>The check reads Boot's {@code spring.flyway.*} settings, not the {@link Flyway} object: making that object
 * (Flyway 11 builds its configuration model with Jackson) cost every command about 0.2 s, so it is made only
 * to migrate ({@link StartupConfiguration#flywayInitializer}). When Flyway is configured in a way the check does
 * not follow (its own URL or user, a {@code @FlywayDataSource}, Java migrations or customizer beans), there is
 * no check: Flyway migrates, as Boot would.
 */
final class SchemaCheck implements FlywayMigrationStrategy {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaCheck.class);

  private final Settings settings;
  private final ResourceLoader resources;

  /** @param settings null when Flyway is configured in a way the check does not follow */
  SchemaCheck(Settings settings, ResourceLoader resources) {
    this.settings = settings;
    this.resources = resources;
  }

  /** What the check needs of Flyway's configuration. */
  record Settings(DataSource dataSource, String schema, String table, List<String> locations, String prefix,
      String separator, List<String> suffixes, String repeatablePrefix) {

    /**
     * The settings Boot configures Flyway with, or null when Boot would give Flyway a data source other than
     * {@code primary} or Flyway is customised by beans.
     */
    static Settings of(FlywayProperties flyway, FlywayConnectionDetails connection, DataSource primary,
        boolean customised) {
      if (customised || primary == null || connection.getJdbcUrl() != null || connection.getUsername() != null) {
        return null;
      }
      String schema = flyway.getDefaultSchema() != null ? flyway.getDefaultSchema()
          : flyway.getSchemas().isEmpty() ? null : flyway.getSchemas().get(0);
      return new Settings(primary, schema, flyway.getTable(), flyway.getLocations(), flyway.getSqlMigrationPrefix(),
          flyway.getSqlMigrationSeparator(), flyway.getSqlMigrationSuffixes(),
          flyway.getRepeatableSqlMigrationPrefix());
    }
  }

  @Override
  public void migrate(Flyway flyway) {
    if (current()) {
      LOG.debug("schema current; Flyway's migrate skipped");
      return;
    }
    flyway.migrate();
  }

  boolean current() {
    if (settings == null || settings.schema() == null) {
      return false;
    }
    try {
      Set<MigrationVersion> available = available();
      return available != null && !available.isEmpty() && applied().containsAll(available);
    } catch (SQLException | IOException | RuntimeException e) {
      LOG.debug("schema check inconclusive, migrating: {}", e.toString());
      return false;
    }
  }

  /** The versions of the migrations in the configured locations; null when they cannot be listed here. */
  private Set<MigrationVersion> available() throws IOException {
    Pattern versioned = Pattern.compile(Pattern.quote(settings.prefix()) + "(.+?)"
        + Pattern.quote(settings.separator()) + ".*");
    PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver(resources);
    Set<MigrationVersion> versions = new HashSet<>();
    for (String descriptor : settings.locations()) {
      if (descriptor.contains("{vendor}")) { // Boot resolves it from the database: not followed here
        return null;
      }
      Location location = new Location(descriptor);
      if (!location.isClassPath()) {
        return null;
      }
      for (Resource resource : resolver.getResources("classpath*:" + location.getRootPath() + "/*")) {
        String name = resource.getFilename();
        if (name == null) {
          continue;
        }
        if (name.endsWith(".class")) { // a Java migration, which only Flyway can read
          return null;
        }
        if (!isSql(name)) {
          continue;
        }
        if (name.startsWith(settings.repeatablePrefix())) {
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

  private boolean isSql(String name) {
    return settings.suffixes().stream().anyMatch(name::endsWith);
  }

  /** The versions applied successfully; empty if the history table is missing or any migration failed. */
  private Set<MigrationVersion> applied() throws SQLException {
    String table = quote(settings.schema()) + "." + quote(settings.table());
    Set<MigrationVersion> versions = new HashSet<>();
    try (Connection c = settings.dataSource().getConnection(); Statement s = c.createStatement()) {
      try (ResultSet exists = s.executeQuery("select to_regclass('" + table.replace("'", "''")
          + "') is not null")) {
        if (!exists.next() || !exists.getBoolean(1)) {
          return Set.of();
        }
      }
      try (ResultSet rs = s.executeQuery("select version, success from " + table + " where version is not null")) {
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
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
