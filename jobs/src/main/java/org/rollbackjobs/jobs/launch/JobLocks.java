package org.rollbackjobs.jobs.launch;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.explore.JobExplorer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The locks of a job's run ({@link GuardedJob}): two runs on one target cannot overlap, in one process or many.
 * A refusal names the holder's job execution, found by the PostgreSQL backend that holds the lock: every guarded
 * run records it in its parameters ({@link #LOCK_BACKEND}).
 */
@Component
public class JobLocks {
  /** Non-identifying job parameter: the PostgreSQL backend (pid) whose session holds the run's locks. */
  public static final String LOCK_BACKEND = "lock.backend-pid";

  private final AdvisoryLocks locks;
  private final JobExplorer explorer;
  private final JobOutcomes outcomes;
  private final ObjectProvider<GuardedJob> guarded;

  public JobLocks(AdvisoryLocks locks, JobExplorer explorer, JobOutcomes outcomes, ObjectProvider<GuardedJob> guarded) {
    this.locks = locks;
    this.explorer = explorer;
    this.outcomes = outcomes;
    this.guarded = guarded;
  }

  /** The job's locks for a run; when one is held elsewhere, a refusal (exit 4), audited for the attempt. */
  public AdvisoryLocks.Held acquire(Attempt attempt, String jobName, JobParameters parameters) {
    List<LockClaim> claims = claims(jobName, parameters);
    return outcomes.check(attempt, () -> locks.acquire(claims, this::refusal));
  }

  /** For a dry run: the refusal a run would get now, or null when its locks are free. */
  public String conflict(String jobName, JobParameters parameters) {
    return locks.conflict(claims(jobName, parameters), this::refusal);
  }

  private List<LockClaim> claims(String jobName, JobParameters parameters) {
    return guarded.stream().filter(g -> g.jobName().equals(jobName))
        .flatMap(g -> g.claims().apply(parameters).stream()).toList();
  }

  private String refusal(AdvisoryLocks.Conflict conflict) {
    LockClaim claim = conflict.claim();
    String by = Optional.ofNullable(conflict.holder()).flatMap(h -> execution(h.backendPid()))
        .map(JobLocks::describe).orElse("");
    return claim.object() + " is being " + claim.kind().use(conflict.shared()) + by + " (" + conflict.heldBy()
        + "); wait for it to end, or see 'status'";
  }

  /** The running execution whose locks the backend holds (none while its launch is still being recorded). */
  private Optional<JobExecution> execution(int backendPid) {
    String pid = Integer.toString(backendPid);
    return guarded.stream().map(GuardedJob::jobName).distinct()
        .flatMap(job -> explorer.findRunningJobExecutions(job).stream())
        .filter(e -> pid.equals(e.getJobParameters().getString(LOCK_BACKEND)))
        .max(Comparator.comparing(JobExecution::getId));
  }

  private static String describe(JobExecution execution) {
    JobParameters p = execution.getJobParameters();
    return " by " + Attempt.of(execution.getJobInstance().getJobName(), p).command() + " job execution "
        + execution.getId() + " of process " + p.getString(JobRunner.PROCESS_PID) + " on host "
        + p.getString(JobRunner.PROCESS_HOST);
  }
}
