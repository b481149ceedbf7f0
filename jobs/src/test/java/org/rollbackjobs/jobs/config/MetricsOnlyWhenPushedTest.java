package org.rollbackjobs.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurationImportFilter;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.mock.env.MockEnvironment;

class MetricsOnlyWhenPushedTest {
  private static final String[] CANDIDATES = {
      "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
      "org.springframework.boot.autoconfigure.batch.BatchAutoConfiguration", null};

  private static boolean[] match(MockEnvironment environment) {
    MetricsOnlyWhenPushed filter = new MetricsOnlyWhenPushed();
    filter.setEnvironment(environment);
    return filter.match(CANDIDATES, null);
  }

  @Test
  void actuatorOnlyWhenThePushgatewayIsEnabled() {
    assertThat(match(new MockEnvironment())).containsExactly(false, true, true);
    assertThat(match(new MockEnvironment().withProperty(MetricsOnlyWhenPushed.PUSH, "false")))
        .containsExactly(false, true, true);
    assertThat(match(new MockEnvironment().withProperty(MetricsOnlyWhenPushed.PUSH, "true")))
        .containsExactly(true, true, true);
  }

  @Test
  void runsBeforeBootsOwnImportFilters() {
    assertThat(SpringFactoriesLoader.loadFactories(AutoConfigurationImportFilter.class, getClass().getClassLoader()))
        .first().isInstanceOf(MetricsOnlyWhenPushed.class);
  }
}
