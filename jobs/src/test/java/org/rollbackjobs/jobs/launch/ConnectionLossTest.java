package org.rollbackjobs.jobs.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.List;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.TransactionSystemException;

/** Which failures are a lost database connection, as the exceptions PostgreSQL's driver and the pool raise. */
class ConnectionLossTest {
  @Test
  void theServersOwnWordIsPreferredAndATransactionsOverriddenFailureIsFound() {
    TransactionSystemException rollback = new TransactionSystemException("JDBC rollback failed",
        new SQLException("Connection is closed"));
    rollback.initApplicationException(new IllegalStateException("step failed",
        new SQLException("FATAL: terminating connection due to administrator command", "57P01")));
    assertThat(ConnectionLoss.in(rollback)).hasValue("lost the connection to PostgreSQL (FATAL: terminating"
        + " connection due to administrator command): the server was restarted, shut down or became unreachable");
    assertThat(ExitCodes.expected(new RuntimeException(rollback))).isTrue();
    assertThat(ExitCodes.of(rollback)).isEqualTo(ExitCodes.FAILED);
  }

  @Test
  void connectionStatesCountOtherFailuresDoNot() {
    assertThat(ConnectionLoss.in(new SQLException("An I/O error occurred while sending to the backend.", "08006")))
        .hasValueSatisfying(m -> assertThat(m).contains("An I/O error occurred"));
    assertThat(ConnectionLoss.in(List.of(new IllegalStateException("boom"),
        new SQLException("duplicate key value violates unique constraint", "23505")))).isEmpty();
    assertThat(ConnectionLoss.in(new SQLException("syntax error", "42601"))).isEmpty();
    assertThat(ConnectionLoss.in((Throwable) null)).isEmpty();
    // an Iceberg commit the loss cut says more (which table, that its outcome is unknown, what a restart does)
    assertThat(ConnectionLoss.in(new CommitStateUnknownException(
        new SQLException("An I/O error occurred while sending to the backend.", "08006")))).isEmpty();
  }
}
