package org.rollbackjobs.jobs.launch;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.rollbackjobs.iceberg.BadInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.Job;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobExecutionException;
import org.springframework.batch.core.JobInstance;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.JobParametersBuilder;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.explore.JobExplorer;
import org.springframework.batch.core.launch.JobLauncher;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.stereotype.Component;

/**
 * Launches the suite's jobs synchronously and restarts failed executions from where they stopped.
 *
 * <p>Every execution records the process that runs it ({@code process.pid}, {@code process.host}, non-identifying
 * parameters). An execution left STARTED by a process that died (SIGKILL, OOM, lost machine) can then be told
 * apart from one that still runs: {@link #restart} marks the dead one FAILED and restarts it; a live one is
 * refused. One recorded on another host is restarted there (a recompute's spill files are on that host's disk).
 *
 * <p>A run holds its job's locks ({@link JobLocks}) from before its execution is recorded until it ends, restarts
 * alike: a run refused by a lock changes nothing.
 */
@Component
public class JobRunner {
  public static final String PROCESS_PID = "process.pid";
  public static final String PROCESS_HOST = "process.host";
  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

  private final JobLauncher launcher;
  private final JobExplorer explorer;
  private final JobRepository repository;
  private final JobLocks locks;
  /** Jobs are looked up when launched: a job's own steps may launch other jobs through this runner. */
  private final ListableBeanFactory beans;

  public JobRunner(JobLauncher launcher, JobExplorer explorer, JobRepository repository, JobLocks locks,
      ListableBeanFactory beans) {
    this.launcher = launcher;
    this.locks = locks;
    this.explorer = explorer;
    this.repository = repository;
    this.beans = beans;
  }

  /** Runs a job for an attempt, which travels with the parameters so that every run is audited alike. */
  public JobExecution run(Attempt attempt, String jobName, JobParameters parameters) {
    return run(attempt, jobName, parameters, () -> {});
  }

  /**
   * As {@link #run(Attempt, String, JobParameters)}, with {@code beforeLaunch} done under the job's locks first: what
   * a run changes before its job starts (a refused run changes nothing).
   */
  public JobExecution run(Attempt attempt, String jobName, JobParameters parameters, Runnable beforeLaunch) {
    JobParameters withAttempt = attempt.addTo(parameters);
    try (AdvisoryLocks.Held held = locks.acquire(attempt, jobName, withAttempt)) {
      beforeLaunch.run();
      return launch(jobName, withAttempt, held);
    }
  }

  /** Does {@code work} (which launches no job) under the locks a run of the job would hold. */
  public <T> T underLocks(Attempt attempt, String jobName, JobParameters parameters, Supplier<T> work) {
    try (AdvisoryLocks.Held held = locks.acquire(attempt, jobName, attempt.addTo(parameters))) {
      return work.get();
    }
  }

  /** For a dry run: the refusal a run of the job would get from its locks now, or null. */
  public String lockConflict(String jobName, JobParameters parameters) {
    return locks.conflict(jobName, parameters);
  }

  private JobExecution launch(String jobName, JobParameters parameters, AdvisoryLocks.Held held) {
    // each Job bean is named by its job name: only the job that runs (with its steps) is made, not every job
    if (!beans.containsBean(jobName) || !beans.isTypeMatch(jobName, Job.class)) {
      throw new IllegalStateException("no job named " + jobName + "; jobs: "
          + List.of(beans.getBeanNamesForType(Job.class)));
    }
    Job job = beans.getBean(jobName, Job.class);
    JobParametersBuilder builder = new JobParametersBuilder(parameters)
        .addString(PROCESS_PID, Long.toString(ProcessHandle.current().pid()), false)
        .addString(PROCESS_HOST, hostName(), false);
    if (held.backendPid() != null) {
      builder.addString(JobLocks.LOCK_BACKEND, held.backendPid().toString(), false);
    }
    JobParameters withProcess = builder.toJobParameters();
    try {
      return ConcurrentLaunchRetry.launch(() -> launcher.run(job, withProcess),
          () -> lastExecutionId(jobName, withProcess));
    } catch (JobExecutionException e) {
      throw new IllegalStateException("cannot launch job " + jobName + ": " + e.getMessage(), e);
    }
  }

  /**
   * Restarts a FAILED or STOPPED execution with its own parameters; Spring Batch resumes at the failed step,
   * and chunk-oriented steps at their last committed chunk. An execution whose process died is marked FAILED
   * first.
   */
  public JobExecution restart(long executionId) {
    JobExecution latest = latestOfInstance(execution(executionId));
    String jobName = latest.getJobInstance().getJobName();
    JobParameters parameters = latest.getJobParameters();
    try (AdvisoryLocks.Held held = locks.acquire(Attempt.of(jobName, parameters), jobName, parameters)) {
      if (latest.isRunning()) {
        markAbandonedRunFailed(latest);
      } else if (latest.getStatus() == BatchStatus.UNKNOWN || latest.getStepExecutions().stream()
          .anyMatch(step -> step.getStatus().isRunning() || step.getStatus() == BatchStatus.UNKNOWN)) {
        markUnknownRunFailed(latest);
      }
      return launch(jobName, parameters, held);
    }
  }

  /**
   * The newest execution of {@code jobName} for this audit subject and reason that did not complete and can be
   * restarted (failed, stopped, or left STARTED by a process that is gone): how a flow that runs other jobs (a
   * system rollback) continues the job a kill interrupted instead of starting it again. Looks at the newest
   * {@code recent} instances only.
   */
  public Optional<JobExecution> unfinished(String jobName, String subject, String reason, int recent) {
    for (JobInstance instance : explorer.getJobInstances(jobName, 0, recent)) {
      JobExecution last = explorer.getLastJobExecution(instance);
      if (last != null && subject.equals(last.getJobParameters().getString(Attempt.SUBJECT))
          && reason.equals(last.getJobParameters().getString(Attempt.REASON))) {
        return restartable(last) ? Optional.of(last) : Optional.empty();
      }
    }
    return Optional.empty();
  }

  private Long lastExecutionId(String jobName, JobParameters parameters) {
    JobExecution last = repository.getLastJobExecution(jobName, parameters);
    return last == null ? null : last.getId();
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

  /** Whether the process recorded for a STARTED execution is gone (only decidable on the same host). */
  public static Optional<Boolean> processGone(JobExecution execution) {
    String pid = execution.getJobParameters().getString(PROCESS_PID);
    String host = execution.getJobParameters().getString(PROCESS_HOST);
    if (pid == null || host == null || !host.equals(hostName())) {
      return Optional.empty();
    }
    return Optional.of(ProcessHandle.of(Long.parseLong(pid)).map(p -> !p.isAlive()).orElse(true));
  }

  /**
   * Spring Batch leaves a step (and its job) UNKNOWN when it could not save the step's outcome, typically because
   * the database went away in the middle of the step, or a step STARTED under a job that ended (the step's update
   * was lost, the job's got through once the server was back); it refuses to restart either. What the step did is
   * then as uncertain as after a kill, and every step of the suite's jobs is written to be run again after a kill
   * (each checks what is already done: the commit's run id, the build's state, the chunk last committed), so the
   * step is marked FAILED and run again, like the step of a dead process. The job has ended: no process runs it.
   */
  private void markUnknownRunFailed(JobExecution execution) {
    LOG.warn("Job execution {} ended {} with steps whose outcome could not be saved (e.g. the database connection"
        + " was lost); marking them FAILED to run them again", execution.getId(), execution.getStatus());
    markFailed(execution, "outcome unknown (could not be saved)");
  }

  private void markFailed(JobExecution execution, String why) {
    LocalDateTime now = LocalDateTime.now();
    for (StepExecution step : execution.getStepExecutions()) {
      if (step.getStatus().isRunning() || step.getStatus() == BatchStatus.UNKNOWN) {
        step.setStatus(BatchStatus.FAILED);
        step.setExitStatus(ExitStatus.FAILED.addExitDescription(why));
        step.setEndTime(now);
        repository.update(step);
      }
    }
    execution.setStatus(BatchStatus.FAILED);
    execution.setExitStatus(ExitStatus.FAILED.addExitDescription(why));
    execution.setEndTime(now);
    repository.update(execution);
  }

  private void markAbandonedRunFailed(JobExecution execution) {
    Optional<Boolean> gone = processGone(execution);
    if (gone.isEmpty()) {
      throw new RefusedException("job execution " + execution.getId() + " is " + execution.getStatus()
          + " in process " + execution.getJobParameters().getString(PROCESS_PID) + " on host "
          + execution.getJobParameters().getString(PROCESS_HOST) + ", which cannot be checked from here;"
          + " restart it on that host");
    }
    if (!gone.get()) {
      throw new RefusedException("job execution " + execution.getId() + " is still running in process "
          + execution.getJobParameters().getString(PROCESS_PID) + "; wait for it or stop that process first");
    }
    LOG.warn("Job execution {} was left {} by process {}, which is gone; marking it FAILED to restart it",
        execution.getId(), execution.getStatus(), execution.getJobParameters().getString(PROCESS_PID));
    markFailed(execution, "process died");
  }

  public static boolean restartable(JobExecution execution) {
    return execution.getStatus() == BatchStatus.FAILED || execution.getStatus() == BatchStatus.STOPPED
        || execution.getStatus() == BatchStatus.UNKNOWN
        || (execution.isRunning() && processGone(execution).orElse(false));
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
        .or(() -> Optional.ofNullable(execution.getExitStatus().getExitDescription()).filter(d -> !d.isBlank()))
        .map(description -> description.lines().findFirst().orElse(description)
            .replaceFirst("^[\\w.$]+(Exception|Error): ", ""))
        .orElse(null);
  }

  /** The first failure of an execution, for messages and exit codes. */
  public static Throwable failure(JobExecution execution) {
    List<Throwable> failures = execution.getAllFailureExceptions();
    return failures.isEmpty() ? null : failures.get(0);
  }

  static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }
}
