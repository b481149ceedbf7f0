package org.rollbackjobs.jobs.restore;

import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.springframework.batch.core.Job;
import org.springframework.batch.core.Step;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/** The {@code restore} job: one step that restores one Iceberg table by time travel. */
@Configuration(proxyBeanMethods = false)
public class RestoreJobConfiguration {
  public static final String JOB_NAME = "restore";

  @Bean
  Job restore(JobRepository jobRepository, Step restoreTable, JobOutcomes outcomes) {
    return new JobBuilder(JOB_NAME, jobRepository).listener(outcomes).start(restoreTable).build();
  }

  @Bean
  Step restoreTable(JobRepository jobRepository, PlatformTransactionManager transactionManager, RestoreTasklet tasklet) {
    return new StepBuilder("restore-table", jobRepository).tasklet(tasklet, transactionManager).build();
  }
}
