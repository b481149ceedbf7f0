package org.rollbackjobs.jobs.config;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * Boot's database-initialisation ordering makes the migration and every JDBC bean wait for two initialisers: the
 * Flyway object and the migration ({@code flywayInitializer}). Waiting for the migration is enough, and without
 * the wait for the Flyway object it is made only when {@link SchemaCheck} finds something to migrate: making it
 * cost every command about 0.2 s. Runs after Boot's ordering (which is {@code Ordered}; this is not).
 */
final class FlywayMadeOnlyToMigrate implements BeanFactoryPostProcessor {
  static final String INITIALIZER = "flywayInitializer";

  @Override
  public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
    Set<String> flyways = Set.of(beanFactory.getBeanNamesForType(Flyway.class, true, false));
    if (flyways.isEmpty() || !beanFactory.containsBeanDefinition(INITIALIZER)) {
      return;
    }
    for (String name : beanFactory.getBeanDefinitionNames()) {
      BeanDefinition definition = beanFactory.getBeanDefinition(name);
      List<String> dependsOn = definition.getDependsOn() == null ? List.of() : Arrays.asList(definition.getDependsOn());
      // only where the wait for the migration remains
      if (dependsOn.stream().anyMatch(flyways::contains) && (name.equals(INITIALIZER) || dependsOn.contains(INITIALIZER))) {
        definition.setDependsOn(dependsOn.stream().filter(n -> !flyways.contains(n)).toArray(String[]::new));
      }
    }
  }
}
