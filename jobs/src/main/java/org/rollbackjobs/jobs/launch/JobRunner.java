package org.rollbackjobs.jobs.launch;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.rollbackjobs.iceberg.BadInputException;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.Job;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobExecutionException;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.explore.JobExplorer;
import org.springframework.batch.core.launch.JobLauncher;
import org.springframework.stereotype.Component;

/** Launches the suite's jobs synchronously and restarts failed executions from where they stopped. */
@Component
public class JobRunner {
  private final JobLauncher launcher;
  private final JobExplorer explorer;
  private final Map<String, Job> jobs;

  public JobRunner(JobLauncher launcher, JobExplorer explorer, List<Job> jobs) {
    this.launcher = launcher;
    this.explorer = explorer;
    this.jobs = jobs.stream().collect(Collectors.toMap(Job::getName, Function.identity()));
  }

  public JobExecution run(String jobName, JobParameters parameters) {
    Job job = jobs.get(jobName);
    if (job == null) {
      throw new IllegalStateException("no job named " + jobName + "; jobs: " + jobs.keySet());
    }
    try {
      return launcher.run(job, parameters);
    } catch (JobExecutionException e) {
      throw new IllegalStateException("cannot launch job " + jobName + ": " + e.getMessage(), e);
    }
  }

  /** Restarts a FAILED or STOPPED execution with its own parameters; Spring Batch resumes at the failed step. */
  public JobExecution restart(long executionId) {
    JobExecution previous = execution(executionId);
    String jobName = previous.getJobInstance().getJobName();
    return run(jobName, previous.getJobParameters());
  }

  public JobExecution execution(long executionId) {
    JobExecution execution = explorer.getJobExecution(executionId);
    if (execution == null) {
      throw new BadInputException("job execution " + executionId + " does not exist; list executions with 'status'");
    }
    return execution;
  }

  public static boolean restartable(JobExecution execution) {
    return execution.getStatus() == BatchStatus.FAILED || execution.getStatus() == BatchStatus.STOPPED;
  }

  /** The first failure of an execution, for messages and exit codes. */
  public static Throwable failure(JobExecution execution) {
    List<Throwable> failures = execution.getAllFailureExceptions();
    return failures.isEmpty() ? null : failures.get(0);
  }
}
