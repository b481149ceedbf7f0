package org.rollbackjobs.schedules;

import javax.sql.DataSource;
import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.rollbackjobs.schedules.alert.AlertToken;
import org.rollbackjobs.schedules.file.Schedules;
import org.rollbackjobs.schedules.file.SchedulesFile;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskExecutor;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SchedulerProperties.class)
public class SchedulerConfiguration {

  @Bean
  Schedules schedules(SchedulerProperties properties) {
    if (properties.schedules() == null) {
      throw new IllegalStateException("no schedules file: start with --schedules FILE");
    }
    return SchedulesFile.read(properties.schedules());
  }

  @Bean
  AlertToken alertToken(SchedulerProperties properties) {
    AlertToken token = AlertToken.from(System.getenv(AlertToken.VARIABLE), properties.alertTokenFile());
    if (!token.configured()) {
      LoggerFactory.getLogger(SchedulerConfiguration.class).warn("no alert token ({} or"
          + " rollback.scheduler.alert-token-file): POST /alerts refuses every request", AlertToken.VARIABLE);
    }
    return token;
  }

  /** Timers of the drills: a drill may run while the next slot of another fires. */
  @Bean
  ThreadPoolTaskScheduler drillTimers(Schedules schedules) {
    ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
    scheduler.setPoolSize(Math.max(2, 2 * schedules.drills().size()));
    scheduler.setThreadNamePrefix("drill-");
    return scheduler;
  }

  /** Rollbacks started by alerts, off the request thread. */
  @Bean
  TaskExecutor alertRollbackExecutor() {
    ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
    executor.setCorePoolSize(4);
    executor.setThreadNamePrefix("alert-rollback-");
    return executor;
  }

  @Bean
  LockingTaskExecutor drillLocks(DataSource dataSource) {
    return new DefaultLockingTaskExecutor(new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
        .withJdbcTemplate(new JdbcTemplate(dataSource))
        .withTableName("rollback_scheduler.shedlock")
        .usingDbTime()
        .build()));
  }
}
