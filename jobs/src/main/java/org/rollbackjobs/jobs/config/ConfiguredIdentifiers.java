package org.rollbackjobs.jobs.config;

import java.util.regex.Pattern;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.vector.sql.SqlIdentifier;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * The settings that name schemas and tables, checked before any bean is made: Spring Batch splices
 * {@code spring.batch.jdbc.table-prefix} into its SQL as it is, and Flyway's schema and history table are read by
 * {@link SchemaCheck}. A bad value stops the start with a {@link BadInputException} (exit 2, "invalid
 * configuration: ...") before anything reaches the database.
 */
final class ConfiguredIdentifiers implements BeanFactoryPostProcessor, EnvironmentAware {
  static final String TABLE_PREFIX = "spring.batch.jdbc.table-prefix";
  /** {@code rollback.BATCH_}: an optional schema, then the start of the table names. */
  private static final Pattern PREFIX = Pattern.compile("([A-Za-z_][A-Za-z0-9_]{0,62}\\.)?[A-Za-z_][A-Za-z0-9_]{0,40}");
  private Environment environment;

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = environment;
  }

  @Override
  public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
    check(environment);
  }

  static void check(Environment environment) {
    String prefix = environment.getProperty(TABLE_PREFIX);
    if (prefix != null && !PREFIX.matcher(prefix).matches()) {
      throw new BadInputException(TABLE_PREFIX + " " + BadInputException.shown(prefix) + " is not a table prefix:"
          + " expected SCHEMA.PREFIX of letters, digits and '_' (not starting with a digit), such as rollback.BATCH_");
    }
    // a list in YAML or a comma-separated value: bound as Spring binds it for Flyway
    Binder.get(environment).bind("spring.flyway.schemas", Bindable.listOf(String.class))
        .ifBound(schemas -> schemas.forEach(schema -> SqlIdentifier.check("spring.flyway.schemas", schema)));
    identifier(environment, "spring.flyway.default-schema");
    identifier(environment, "spring.flyway.table");
  }

  private static void identifier(Environment environment, String property) {
    String value = environment.getProperty(property);
    if (value != null) {
      SqlIdentifier.check(property, value);
    }
  }
}
