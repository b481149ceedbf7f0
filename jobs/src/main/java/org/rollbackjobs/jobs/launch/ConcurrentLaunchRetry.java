package org.rollbackjobs.jobs.launch;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobExecutionException;

/**
 * Launches again a job whose launch lost a serialization conflict. Spring Batch creates a job execution in a
 * SERIALIZABLE transaction (so that no job instance is ever started twice, even by two processes), and PostgreSQL
 * aborts such transactions that overlap with others, even for unrelated job instances (SQLSTATE 40001, "could not
 * serialize access"). Jobs launched side by side in one process (rollback, drill, the scheduler) hit this. It is
 * retried, as PostgreSQL asks, only while the failed attempt left no execution behind: the job has not run.
 */
final class ConcurrentLaunchRetry {
  private static final Logger LOG = LoggerFactory.getLogger(ConcurrentLaunchRetry.class);
  static final int ATTEMPTS = 8;

  interface Launch {
    JobExecution run() throws JobExecutionException;
  }

  private ConcurrentLaunchRetry() {}

  /** @param lastExecutionId the id of the newest execution of the job instance being launched, or null */
  static JobExecution launch(Launch launch, Supplier<Long> lastExecutionId) throws JobExecutionException {
    Long before = lastExecutionId.get();
    RetryPolicy<JobExecution> policy = RetryPolicy.<JobExecution>builder()
        .handleIf(e -> serializationFailure(e) && Objects.equals(before, lastExecutionId.get()))
        .withMaxAttempts(ATTEMPTS)
        // random pauses growing with the attempts, so that launches that collided do not collide again
        .withBackoff(Duration.ofMillis(25), Duration.ofSeconds(2))
        .withJitter(0.5)
        .onRetry(event -> LOG.debug("launch attempt {} lost a serialization conflict in the job repository;"
            + " trying again", event.getAttemptCount()))
        .build();
    try {
      return Failsafe.with(policy).get(launch::run);
    } catch (FailsafeException e) {
      if (e.getCause() instanceof JobExecutionException checked) {
        throw checked;
      }
      throw e;
    }
  }

  static boolean serializationFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      for (SQLException s = t instanceof SQLException sql ? sql : null; s != null; s = s.getNextException()) {
        if ("40001".equals(s.getSQLState()) || "40P01".equals(s.getSQLState())) { // serialization failure, deadlock
          return true;
        }
      }
    }
    return false;
  }
}
