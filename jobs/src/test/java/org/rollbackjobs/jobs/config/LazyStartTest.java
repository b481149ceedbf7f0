package org.rollbackjobs.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.jobs.RollbackJobsApplication;
import org.rollbackjobs.jobs.SkipTestConfigurations;
import org.rollbackjobs.testing.TestPostgres;
import org.springframework.aop.scope.ScopedProxyFactoryBean;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** What a start makes before any command runs: no job's step- or job-scoped proxies (ScopedProxiesTyped). */
class LazyStartTest {

  @Test
  void noScopedProxyIsMadeAtStart() {
    TestPostgres db = TestPostgres.get();
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(RollbackJobsApplication.class)
        .web(WebApplicationType.NONE).initializers(SkipTestConfigurations.initializer())
        .run("--spring.datasource.url=" + db.jdbcUrl(), "--spring.datasource.username=" + db.user(),
            "--spring.datasource.password=" + db.password(), "--logging.level.root=warn")) {
      List<String> proxies = Arrays.stream(context.getBeanDefinitionNames())
          .filter(name -> ScopedProxyFactoryBean.class.getName()
              .equals(context.getBeanFactory().getBeanDefinition(name).getBeanClassName()))
          .toList();
      assertThat(proxies).as("the jobs' scoped beans").contains("documentReader", "vectorWriter");
      assertThat(proxies).noneMatch(name -> context.getBeanFactory().containsSingleton(name));
      // and each is still what its injection points ask for
      assertThat(context.getBeanFactory().getType("documentReader"))
          .isEqualTo(context.getBeanFactory().getType("scopedTarget.documentReader"));
    }
  }
}
