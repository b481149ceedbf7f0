package org.rollbackjobs.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.jobs.RollbackJobsApplication;
import org.rollbackjobs.jobs.SkipTestConfigurations;
import org.rollbackjobs.jobs.cli.CliRunner;
import org.rollbackjobs.testing.TestPostgres;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The schema migration at start, on a database of its own: a new database is migrated before any command reads
 * it; a current one is only checked, and Flyway's object (whose making costs a command about 0.2 s) is not made;
 * a migration not yet applied is applied.
 */
class SchemaMigrationTest {
  private static final String LOCATIONS = "classpath:db/migration/rollback,classpath:db/migration/vector";
  private static final TestPostgres DB = TestPostgres.get().newDatabase();

  private static ConfigurableApplicationContext start(String locations, String... command) {
    List<String> args = new ArrayList<>(List.of("--spring.datasource.url=" + DB.jdbcUrl(),
        "--spring.datasource.username=" + DB.user(), "--spring.datasource.password=" + DB.password(),
        "--spring.flyway.locations=" + locations, "--logging.level.root=warn"));
    args.addAll(List.of(command));
    return new SpringApplicationBuilder(RollbackJobsApplication.class).web(WebApplicationType.NONE)
        .initializers(SkipTestConfigurations.initializer())
        .run(args.toArray(String[]::new));
  }

  private static boolean flywayMade(ConfigurableApplicationContext context) {
    return context.getBeanFactory().containsSingleton("flyway");
  }

  private static List<String> applied(ConfigurableApplicationContext context) {
    return context.getBean(JdbcTemplate.class).queryForList(
        "SELECT version FROM rollback.flyway_schema_history WHERE success AND version IS NOT NULL"
            + " ORDER BY installed_rank", String.class);
  }

  @Test
  void aNewDatabaseIsMigratedACurrentOneOnlyCheckedANewMigrationApplied() {
    // a command on a new database: it reads the job repository, which exists by then
    try (ConfigurableApplicationContext context = start(LOCATIONS, "history", "--json")) {
      assertThat(context.getBean(CliRunner.class).getExitCode()).isZero();
      assertThat(flywayMade(context)).isTrue();
      assertThat(applied(context)).contains("1", "10");
    }
    try (ConfigurableApplicationContext context = start(LOCATIONS, "history", "--json")) {
      assertThat(context.getBean(CliRunner.class).getExitCode()).isZero();
      assertThat(flywayMade(context)).as("current schema: Flyway's object not made").isFalse();
    }

    String probe = LOCATIONS + ",classpath:db/migration/schema-check-probe";
    try (ConfigurableApplicationContext context = start(probe)) {
      assertThat(flywayMade(context)).isTrue();
      assertThat(applied(context)).endsWith("1000");
      assertThat(context.getBean(JdbcTemplate.class).queryForObject(
          "SELECT to_regclass('rollback.schema_check_probe') IS NOT NULL", Boolean.class)).isTrue();
    }
    try (ConfigurableApplicationContext context = start(probe)) {
      assertThat(flywayMade(context)).isFalse();
    }
  }
}
