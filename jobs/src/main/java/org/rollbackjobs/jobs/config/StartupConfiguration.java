package org.rollbackjobs.jobs.config;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.migration.JavaMigration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.actuate.metrics.export.prometheus.PrometheusPushGatewayManager;
import org.springframework.batch.core.configuration.support.JobRegistrySmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.boot.autoconfigure.flyway.FlywayMigrationInitializer;
import org.springframework.boot.autoconfigure.flyway.FlywayConfigurationCustomizer;
import org.springframework.boot.autoconfigure.flyway.FlywayConnectionDetails;
import org.springframework.boot.autoconfigure.flyway.FlywayDataSource;
import org.springframework.boot.autoconfigure.flyway.FlywayProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.io.ResourceLoader;

/**
 * What a command's start does. The application initialises lazily ({@code spring.main.lazy-initialization} in
 * application.yml): a command creates only the beans it uses (the command line makes only the command that runs
 * with Spring, see {@code CliRunner}). Kept eager: the schema migration, so that every command that touches the
 * database finds the schema current, whichever way it reaches the database; it is one query when nothing is to
 * migrate ({@link SchemaCheck}).
 */
@Configuration(proxyBeanMethods = false)
public class StartupConfiguration {
  private static final String FLYWAY_AUTO_CONFIGURATION = FlywayProperties.class.getPackageName();

  @Bean
  static LazyInitializationExcludeFilter schemaMigrationNotLazy() {
    return LazyInitializationExcludeFilter.forBeanTypes(FlywayMigrationInitializer.class);
  }

  /**
   * The Pushgateway push at exit (only configured when {@code management.prometheus.metrics.export.pushgateway
   * .enabled}): a lazy manager would never be created, and nothing would be pushed.
   */
  @Bean
  static LazyInitializationExcludeFilter metricsPushNotLazy() {
    return LazyInitializationExcludeFilter.forBeanTypes(PrometheusPushGatewayManager.class);
  }

  /**
   * Spring Batch's default configuration fills its job registry at start by creating every job bean (and with
   * them every step, tasklet and service of every job). Nothing here looks jobs up in that registry
   * ({@code JobRunner} gets the jobs it launches from the context), so it is left lazy, that is never created.
   */
  @Bean
  static BeanFactoryPostProcessor jobRegistryNotFilledAtStart() {
    return beanFactory -> {
      for (String name : beanFactory.getBeanNamesForType(JobRegistrySmartInitializingSingleton.class, true, false)) {
        beanFactory.getBeanDefinition(name).setLazyInit(true);
      }
    };
  }

  /** The settings naming schemas and tables are checked before any bean (Flyway's, Spring Batch's) uses them. */
  @Bean
  static BeanFactoryPostProcessor configuredIdentifiersChecked() {
    return new ConfiguredIdentifiers();
  }

  @Bean
  static BeanFactoryPostProcessor scopedProxiesTyped() {
    return new ScopedProxiesTyped();
  }

  @Bean
  static BeanFactoryPostProcessor flywayMadeOnlyToMigrate() {
    return new FlywayMadeOnlyToMigrate();
  }

  /**
   * Boot's migration at start (this bean replaces its {@code flywayInitializer}, and is of the type Boot's
   * database-initialisation ordering looks for, so every JDBC bean still waits for it), with the Flyway object
   * made only when {@link SchemaCheck} finds something to migrate: it comes as a lazy proxy.
   */
  @Bean(FlywayMadeOnlyToMigrate.INITIALIZER)
  @ConditionalOnBooleanProperty(name = "spring.flyway.enabled", matchIfMissing = true)
  FlywayMigrationInitializer flywayInitializer(@Lazy Flyway flyway, FlywayProperties properties,
      FlywayConnectionDetails connection, @FlywayDataSource ObjectProvider<DataSource> flywayDataSource,
      ObjectProvider<DataSource> dataSource, ObjectProvider<JavaMigration> javaMigrations,
      ObjectProvider<FlywayConfigurationCustomizer> customizers, ResourceLoader resources) {
    // Boot's own customizers (PostgreSQL's lock, and the like) change nothing the check reads
    boolean customised = flywayDataSource.getIfAvailable() != null || javaMigrations.iterator().hasNext()
        || customizers.stream().anyMatch(c -> !c.getClass().getPackageName().equals(FLYWAY_AUTO_CONFIGURATION));
    SchemaCheck.Settings settings = SchemaCheck.Settings.of(properties, connection, dataSource.getIfUnique(),
        customised);
    return new FlywayMigrationInitializer(flyway, new SchemaCheck(settings, resources));
  }
}
