package org.rollbackjobs.jobs;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.rollbackjobs.jobs.launch.JobRunner;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobParametersBuilder;
import org.springframework.batch.core.explore.JobExplorer;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * Job executions as another process would have recorded them: STARTED, with that process's pid and host. A test
 * extension of a Spring test ({@code @RegisterExtension final MadeUpExecutions madeUp = new MadeUpExecutions();}):
 * after each test it ends (FAILED) those still running, so that later tests do not find them running.
 */
public final class MadeUpExecutions implements BeforeEachCallback, AfterEachCallback {
  private final List<Long> made = new ArrayList<>();
  private JobRepository repository;
  private JobExplorer explorer;

  @Override
  public void beforeEach(ExtensionContext context) {
    ApplicationContext spring = SpringExtension.getApplicationContext(context);
    repository = spring.getBean(JobRepository.class);
    explorer = spring.getBean(JobExplorer.class);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    endAll();
  }

  /** A running execution of {@code job} with these parameters (a fresh run id) in process {@code pid} on {@code host}. */
  public JobExecution running(String job, JobParametersBuilder params, String pid, String host) {
    try {
      JobExecution e = repository.createJobExecution(job, params
          .addString("run.id", UUID.randomUUID().toString())
          .addString(JobRunner.PROCESS_PID, pid, false)
          .addString(JobRunner.PROCESS_HOST, host, false)
          .toJobParameters());
      e.setStartTime(LocalDateTime.now());
      e.setStatus(BatchStatus.STARTED);
      repository.update(e);
      made.add(e.getId());
      return e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot record a made-up execution of " + job, e);
    }
  }

  /** Ends every made-up execution still running. */
  private void endAll() {
    for (long id : made) {
      JobExecution e = explorer.getJobExecution(id);
      if (e != null && e.isRunning()) {
        e.setStatus(BatchStatus.FAILED);
        e.setEndTime(LocalDateTime.now());
        repository.update(e);
      }
    }
    made.clear();
  }
}
