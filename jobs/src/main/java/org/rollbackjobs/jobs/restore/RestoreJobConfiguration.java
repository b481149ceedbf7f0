package org.rollbackjobs.jobs.restore;

import java.util.List;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.jobs.launch.GuardedJob;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.rollbackjobs.jobs.launch.LockClaim;
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

  @Bean(JOB_NAME) // by its job name: JobRunner makes only the job that runs
  Job restore(JobRepository jobRepository, Step restoreTable, JobOutcomes outcomes) {
    return new JobBuilder(JOB_NAME, jobRepository).listener(outcomes).start(restoreTable).build();
  }

  /** A restore writes its table: no other restore of it, and no recompute reading or writing it, meanwhile. */
  @Bean
  static GuardedJob restoreLocks() {
    return new GuardedJob(JOB_NAME, p -> List.of(LockClaim.exclusive(LockClaim.Kind.TABLE,
        TableName.parse(p.getString(RestoreRequest.TABLE)).toString())));
  }

  @Bean
  Step restoreTable(JobRepository jobRepository, PlatformTransactionManager transactionManager, RestoreTasklet tasklet) {
    return new StepBuilder("restore-table", jobRepository).tasklet(tasklet, transactionManager).build();
  }
}
