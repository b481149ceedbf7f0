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

  /** The newest execution of the same job instance (a restarted execution has a successor). */
  public JobExecution latestOfInstance(JobExecution execution) {
    JobExecution latest = explorer.getLastJobExecution(execution.getJobInstance());
    return latest == null ? execution : latest;
  }

  public static boolean restartable(JobExecution execution) {
    return execution.getStatus() == BatchStatus.FAILED || execution.getStatus() == BatchStatus.STOPPED;
  }

  /**
   * Why an execution failed, in one line. Executions read back from the job repository carry no exception
   * objects, only exit descriptions (a stack trace), so the first line of those is used.
   */
  public static String failureMessage(JobExecution execution) {
    Throwable failure = failure(execution);
    if (failure != null) {
      return failure.getMessage();
    }
    return execution.getStepExecutions().stream()
        .map(step -> step.getExitStatus().getExitDescription())
        .filter(description -> description != null && !description.isBlank())
        .findFirst()
        .or(() -> java.util.Optional.ofNullable(execution.getExitStatus().getExitDescription()).filter(d -> !d.isBlank()))
        .map(description -> description.lines().findFirst().orElse(description).replaceFirst("^[\\w.$]+(Exception|Error): ", ""))
        .orElse(null);
  }

  /** The first failure of an execution, for messages and exit codes. */
  public static Throwable failure(JobExecution execution) {
    List<Throwable> failures = execution.getAllFailureExceptions();
    return failures.isEmpty() ? null : failures.get(0);
  }
}
