package org.rollbackjobs.jobs.rollback;

import java.util.List;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.springframework.batch.core.Job;
import org.springframework.batch.core.Step;
import org.springframework.batch.core.configuration.annotation.JobScope;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.partition.support.Partitioner;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.support.transaction.ResourcelessTransactionManager;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.core.task.TaskExecutor;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.interceptor.DefaultTransactionAttribute;

/**
 * The {@code system-rollback} job: readiness, then the datasets (restored in parallel), then the feature tables
 * and indexes (in parallel with each other, after every dataset), then the models and prompts, then verify. Each component is
 * a partition run by {@link ComponentTasklet} through the component's own job; a restart runs only the components
 * that did not complete.
 */
@Configuration(proxyBeanMethods = false)
public class SystemRollbackJobConfiguration {
  public static final String JOB_NAME = "system-rollback";
  static final String WORKER = "rollback-component";
  /**
   * Component steps launch the components' own jobs, which Spring Batch refuses inside a transaction: they run
   * without one (propagation NOT_SUPPORTED; the job repository keeps its own). Not a bean, so that the
   * application's transaction manager stays the one Spring Boot configures.
   */
  private static final PlatformTransactionManager NO_TRANSACTION = new ResourcelessTransactionManager();
  private static final int PARALLEL_COMPONENTS = 4;

  @Bean(JOB_NAME) // by its job name: JobRunner makes only the job that runs
  Job systemRollback(JobRepository repository, Step rollbackReadiness, Step rollbackDatasets, Step rollbackDerived,
      Step rollbackModels, Step rollbackVerify, RollbackRecords records, JobOutcomes outcomes) {
    return new JobBuilder(JOB_NAME, repository)
        .listener(records)
        .listener(outcomes)
        .start(rollbackReadiness)
        .next(rollbackDatasets)
        .next(rollbackDerived)
        .next(rollbackModels)
        .next(rollbackVerify)
        .build();
  }

  @Bean
  Step rollbackReadiness(JobRepository repository, PlatformTransactionManager transactionManager,
      RollbackTasklets tasklets) {
    return new StepBuilder("rollback-readiness", repository).tasklet(tasklets.readiness(), transactionManager)
        .allowStartIfComplete(true) // a continuation checks again what it is about to use
        .build();
  }

  @Bean
  Step rollbackComponent(JobRepository repository, ComponentTasklet tasklet) {
    return new StepBuilder(WORKER, repository).tasklet(tasklet, NO_TRANSACTION)
        .transactionAttribute(new DefaultTransactionAttribute(TransactionDefinition.PROPAGATION_NOT_SUPPORTED))
        .build();
  }

  @Bean
  Step rollbackDatasets(JobRepository repository, Step rollbackComponent, Partitioner datasetComponents) {
    return phase("rollback-datasets", repository, rollbackComponent, datasetComponents);
  }

  @Bean
  Step rollbackDerived(JobRepository repository, Step rollbackComponent, Partitioner derivedComponents) {
    return phase("rollback-features-and-indexes", repository, rollbackComponent, derivedComponents);
  }

  @Bean
  Step rollbackModels(JobRepository repository, Step rollbackComponent, Partitioner modelComponents) {
    return phase("rollback-models", repository, rollbackComponent, modelComponents);
  }

  @Bean
  Step rollbackVerify(JobRepository repository, PlatformTransactionManager transactionManager,
      RollbackTasklets tasklets) {
    return new StepBuilder("rollback-verify", repository).tasklet(tasklets.verify(), transactionManager)
        .allowStartIfComplete(true) // the verdict is about the state at the end of the run that reports it
        .build();
  }

  @Bean
  @JobScope
  Partitioner datasetComponents(@Value("#{jobParameters['plan-id']}") String planId, RollbackPlans plans) {
    return new ComponentPartitioner(plans.get(planId), List.of(ComponentAction.DATASET));
  }

  @Bean
  @JobScope
  Partitioner derivedComponents(@Value("#{jobParameters['plan-id']}") String planId, RollbackPlans plans) {
    return new ComponentPartitioner(plans.get(planId), List.of(ComponentAction.FEATURE, ComponentAction.INDEX));
  }

  @Bean
  @JobScope
  Partitioner modelComponents(@Value("#{jobParameters['plan-id']}") String planId, RollbackPlans plans) {
    return new ComponentPartitioner(plans.get(planId), List.of(ComponentAction.MODEL, ComponentAction.PROMPT));
  }

  private static Step phase(String name, JobRepository repository, Step worker, Partitioner partitioner) {
    return new StepBuilder(name, repository)
        .partitioner(WORKER, partitioner)
        .step(worker)
        .taskExecutor(workers(name))
        .gridSize(PARALLEL_COMPONENTS)
        .build();
  }

  private static TaskExecutor workers(String name) {
    SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor(name + "-");
    executor.setConcurrencyLimit(PARALLEL_COMPONENTS);
    return executor;
  }
}
