package org.rollbackjobs.jobs.retrain;

import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.springframework.batch.core.Job;
import org.springframework.batch.core.Step;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/** The {@code trigger-retrain} job: one step that stores a retrain request and delivers it to its channels. */
@Configuration(proxyBeanMethods = false)
public class RetrainJobConfiguration {
  public static final String JOB_NAME = "trigger-retrain";

  @Bean(JOB_NAME) // by its job name: JobRunner makes only the job that runs
  Job triggerRetrain(JobRepository jobRepository, Step deliverRetrainRequest, JobOutcomes outcomes) {
    return new JobBuilder(JOB_NAME, jobRepository).listener(outcomes).start(deliverRetrainRequest).build();
  }

  @Bean
  Step deliverRetrainRequest(JobRepository jobRepository, PlatformTransactionManager transactionManager,
      RetrainTasklet tasklet) {
    return new StepBuilder("deliver-retrain-request", jobRepository).tasklet(tasklet, transactionManager).build();
  }
}
