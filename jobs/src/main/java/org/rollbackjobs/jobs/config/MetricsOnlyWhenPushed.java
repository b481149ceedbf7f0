package org.rollbackjobs.jobs.config;

import org.springframework.boot.autoconfigure.AutoConfigurationImportFilter;
import org.springframework.boot.autoconfigure.AutoConfigurationMetadata;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Spring Boot's actuator auto-configuration (metrics, health) only when a command pushes its metrics
 * ({@code management.prometheus.metrics.export.pushgateway.enabled}): a command is one short process with nothing
 * to serve, and the metrics infrastructure alone loaded about 620 more classes at every start (measured with
 * {@code -Xlog:class+load} on {@code history}). {@link org.rollbackjobs.jobs.metrics.RollbackMetrics} records
 * nothing without it. First of the import filters: Boot's class conditions then need not look up the classes of
 * the actuator's 130 auto-configurations (a class missing from all 147 JARs is a look into each).
 */
public class MetricsOnlyWhenPushed implements AutoConfigurationImportFilter, EnvironmentAware, Ordered {
  static final String PUSH = "management.prometheus.metrics.export.pushgateway.enabled";
  private static final String ACTUATOR = "org.springframework.boot.actuate.autoconfigure.";
  private Environment environment;

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = environment;
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }

  @Override
  public boolean[] match(String[] candidates, AutoConfigurationMetadata metadata) {
    boolean push = environment != null && environment.getProperty(PUSH, Boolean.class, false);
    boolean[] match = new boolean[candidates.length];
    for (int i = 0; i < candidates.length; i++) {
      match[i] = push || candidates[i] == null || !candidates[i].startsWith(ACTUATOR);
    }
    return match;
  }
}
