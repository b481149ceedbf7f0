package org.rollbackjobs.jobs.launch;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.ConcurrentChangeException;
import org.rollbackjobs.jobs.audit.AuditEntry;
import org.rollbackjobs.jobs.audit.AuditLog;
import org.rollbackjobs.jobs.store.StoredJson;
import org.rollbackjobs.jobs.verify.MixedVersionStateException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobExecutionListener;
import org.springframework.batch.item.ExecutionContext;
import org.springframework.stereotype.Component;

/**
 * The one place where a command ends: every outcome is audited here and every failure becomes the exception whose
 * exit code the contract asks for (bad input 2, mixed-version state 3, guard 4, failure while running 1 with the
 * execution id and how to continue it).
 *
 * <ul>
 *   <li>{@link #check}: the validation and guards before a job; a refusal is audited as {@code rejected} (bad input)
 *       or {@code refused} (guard, mixed state) and rethrown.
 *   <li>{@link #noop}: nothing to do, no job launched.
 *   <li>As the listener of every job ({@link #afterJob}): each execution, first runs and restarts alike, audited
 *       with the details its steps left under {@link #DETAILS} (and {@code noop} when they set {@link #NOOP}).
 *   <li>{@link #completed}: the execution when it completed, else its failure translated.
 * </ul>
 */
@Component
public class JobOutcomes implements JobExecutionListener {
  /** Job execution context key: the audit details of the run, a JSON object written with {@link #details}. */
  public static final String DETAILS = "audit.details";
  /** Job execution context key: set when the run completed without changing anything. */
  public static final String NOOP = "audit.noop";
  private static final Logger LOG = LoggerFactory.getLogger(JobOutcomes.class);

  private final AuditLog auditLog;

  public JobOutcomes(AuditLog auditLog) {
    this.auditLog = auditLog;
  }

  /** Runs the checks before a job; what they refuse is audited and rethrown. */
  public <T> T check(Attempt attempt, Supplier<T> checks) {
    try {
      return checks.get();
    } catch (RuntimeException e) {
      int code = ExitCodes.of(e);
      if (code != ExitCodes.FAILED) {
        audit(attempt, outcomeOf(code), null, Map.of("error", ExitCodes.message(e)));
      }
      throw e;
    }
  }

  /** Checks that return nothing. */
  public void check(Attempt attempt, Runnable checks) {
    check(attempt, () -> {
      checks.run();
      return null;
    });
  }

  /** Nothing to do: audited as {@code noop}, no job launched. */
  public void noop(Attempt attempt, Map<String, Object> details) {
    audit(attempt, "noop", null, details);
  }

  /** Refused by a guard before any job ran: audited as {@code refused}, for a command that reports it itself. */
  public void refused(Attempt attempt, String message, Map<String, Object> details) {
    Map<String, Object> all = new LinkedHashMap<>(details);
    all.put("error", message);
    audit(attempt, "refused", null, all);
  }

  /** Something done without a job (an approval, say): audited as {@code completed}. */
  public void done(Attempt attempt, Map<String, Object> details) {
    audit(attempt, "completed", null, details);
  }

  /** The execution if it completed; otherwise its failure as the exception for the exit code it calls for. */
  public JobExecution completed(JobExecution execution) {
    return completed(execution, (failure, id) -> "restart it with 'restart --execution " + id + "'");
  }

  /**
   * As {@link #completed(JobExecution)}, with the job's own hint on how to continue a failure (exit 1).
   *
   * @param hint the failure (may be null) and the execution id to the sentence that says how to continue
   */
  public JobExecution completed(JobExecution execution, BiFunction<Throwable, Long, String> hint) {
    if (execution.getStatus() == BatchStatus.COMPLETED) {
      return execution;
    }
    long id = execution.getId();
    Throwable failure = JobRunner.failure(execution);
    String message = ConnectionLoss.in(execution.getAllFailureExceptions()).orElse(
        failure == null ? String.valueOf(JobRunner.failureMessage(execution)) : failure.getMessage());
    if (failure instanceof BadInputException bad) {
      throw bad;
    }
    if (failure instanceof MixedVersionStateException mixed) {
      throw mixed;
    }
    if (ExitCodes.of(failure) == ExitCodes.REFUSED) {
      throw new RefusedException(message + " (job execution " + id + ")");
    }
    Attempt attempt = Attempt.of(execution.getJobInstance().getJobName(), execution.getJobParameters());
    if (failure instanceof ConcurrentChangeException concurrent) {
      throw new ConcurrentChangeException(concurrent.getMessage() + " (job execution " + id + "; "
          + hint.apply(failure, id) + ")", concurrent);
    }
    throw new JobFailedException(attempt.command() + " of " + attempt.subject() + " failed: " + message + "; "
        + hint.apply(failure, id), id, failure);
  }

  @Override
  public void afterJob(JobExecution execution) {
    Attempt attempt = Attempt.of(execution.getJobInstance().getJobName(), execution.getJobParameters());
    ExecutionContext context = execution.getExecutionContext();
    Map<String, Object> details = new LinkedHashMap<>();
    if (context.containsKey(DETAILS)) {
      details.putAll(StoredJson.read(context.getString(DETAILS), new TypeReference<Map<String, Object>>() {}));
    }
    String outcome;
    if (execution.getStatus() == BatchStatus.COMPLETED) {
      outcome = context.containsKey(NOOP) ? "noop" : "completed";
    } else {
      Throwable failure = JobRunner.failure(execution);
      outcome = failure == null ? "failed" : outcomeOf(ExitCodes.of(failure));
      details.put("error", ConnectionLoss.in(execution.getAllFailureExceptions()).orElse(String.valueOf(
          failure == null ? JobRunner.failureMessage(execution) : ExitCodes.message(failure))));
      if (outcome.equals("failed")) {
        LOG.warn("{} job execution {} {}; continue it with 'restart --execution {}'", attempt.command(),
            execution.getId(), execution.getStatus(), execution.getId());
      }
    }
    audit(attempt, outcome, execution.getId(), details);
  }

  /** Adds audit details of a run for {@link #afterJob} (a key given again replaces the earlier value). */
  public static void details(ExecutionContext jobContext, Map<String, ?> details) {
    Map<String, Object> all = new LinkedHashMap<>();
    if (jobContext.containsKey(DETAILS)) {
      all.putAll(StoredJson.read(jobContext.getString(DETAILS), new TypeReference<Map<String, Object>>() {}));
    }
    all.putAll(details);
    jobContext.putString(DETAILS, StoredJson.write(all));
  }

  /** Marks a run that completed without changing anything. */
  public static void noop(ExecutionContext jobContext) {
    jobContext.putString(NOOP, "true");
  }

  private void audit(Attempt attempt, String outcome, Long executionId, Map<String, Object> details) {
    auditLog.record(AuditEntry.of(attempt.actor(), attempt.command(), attempt.subject(), attempt.reason(), outcome,
        executionId, details));
  }

  private static String outcomeOf(int exitCode) {
    return switch (exitCode) {
      case ExitCodes.BAD_INPUT -> "rejected";
      case ExitCodes.MIXED_VERSION, ExitCodes.REFUSED -> "refused";
      default -> "failed";
    };
  }
}
