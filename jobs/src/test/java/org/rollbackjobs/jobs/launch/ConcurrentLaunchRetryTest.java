package org.rollbackjobs.jobs.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.JobExecution;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataIntegrityViolationException;

class ConcurrentLaunchRetryTest {
  private static RuntimeException serializationFailure() {
    return new CannotAcquireLockException("INSERT INTO BATCH_JOB_EXECUTION_PARAMS",
        new SQLException("could not serialize access due to read/write dependencies among transactions", "40001"));
  }

  @Test
  void aLaunchThatLostASerializationConflictAndLeftNoExecutionIsTriedAgain() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    JobExecution launched = ConcurrentLaunchRetry.launch(() -> {
      if (attempts.incrementAndGet() < 3) {
        throw serializationFailure();
      }
      return new JobExecution(7L);
    }, () -> null);
    assertThat(launched.getId()).isEqualTo(7L);
    assertThat(attempts).hasValue(3);
  }

  @Test
  void otherFailuresAndLaunchesThatLeftAnExecutionAreNotRetried() {
    AtomicInteger attempts = new AtomicInteger();
    assertThatThrownBy(() -> ConcurrentLaunchRetry.launch(() -> {
      attempts.incrementAndGet();
      throw new DataIntegrityViolationException("duplicate key");
    }, () -> null)).isInstanceOf(DataIntegrityViolationException.class);
    assertThat(attempts).hasValue(1);

    AtomicInteger executions = new AtomicInteger();
    assertThatThrownBy(() -> ConcurrentLaunchRetry.launch(() -> {
      executions.incrementAndGet(); // an execution was created before the conflict: the job may have run
      throw serializationFailure();
    }, () -> executions.get() == 0 ? null : 11L)).isInstanceOf(CannotAcquireLockException.class);
    assertThat(executions).hasValue(1);
  }
}
