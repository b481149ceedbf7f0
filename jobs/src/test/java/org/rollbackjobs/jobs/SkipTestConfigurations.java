package org.rollbackjobs.jobs;

import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;

/**
 * For an application started with {@code SpringApplicationBuilder} from the test class path: the tests'
 * {@code @TestConfiguration} classes are on it, and the application must not scan them.
 */
public final class SkipTestConfigurations extends TypeExcludeFilter {

  /** {@code builder.initializers(SkipTestConfigurations.initializer())}. */
  public static ApplicationContextInitializer<ConfigurableApplicationContext> initializer() {
    return context -> context.getBeanFactory().registerSingleton("skipTestConfigurations",
        new SkipTestConfigurations());
  }

  @Override
  public boolean match(MetadataReader reader, MetadataReaderFactory factory) {
    return reader.getAnnotationMetadata().hasAnnotation(TestConfiguration.class.getName());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SkipTestConfigurations;
  }

  @Override
  public int hashCode() {
    return 1;
  }
}
