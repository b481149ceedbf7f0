package org.rollbackjobs.jobs.launch;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Whether a failure is the loss of the connection to PostgreSQL (the server was restarted, shut down or became
 * unreachable) rather than something the command did wrong, and the one line that says so. Such a failure is
 * expected in an incident: it is reported without a stack trace, as exit 1, and the run is continued with
 * {@code restart} once the server is back.
 */
public final class ConnectionLoss {
  private ConnectionLoss() {
  }

  /** The one-line description of the connection loss among {@code failures} and their causes, if there is one. */
  public static Optional<String> in(Collection<? extends Throwable> failures) {
    List<SQLException> found = new ArrayList<>();
    ConnectException refused = null;
    List<Throwable> all = allOf(failures);
    if (all.stream().anyMatch(CommitStateUnknownException.class::isInstance)) {
      return Optional.empty(); // an Iceberg commit cut by the loss: its own message says the table and what to do
    }
    for (Throwable t : all) {
      if (t instanceof SQLException sql && isConnectionState(sql)) {
        found.add(sql);
      } else if (t instanceof ConnectException c && refused == null) {
        refused = c;
      }
    }
    // the server's own word (57P01 "terminating connection due to administrator command") says more than the
    // pool's "Connection is closed" that follows it
    Optional<SQLException> best = found.stream().filter(e -> state(e).startsWith("57P")).findFirst()
        .or(() -> found.stream().findFirst());
    if (best.isPresent()) {
      return Optional.of(describe(best.get().getMessage()));
    }
    return Optional.ofNullable(refused).map(c -> describe(c.getMessage()));
  }

  /** As {@link #in(Collection)} for one failure (null: none). */
  public static Optional<String> in(Throwable failure) {
    return failure == null ? Optional.empty() : in(List.of(failure));
  }

  /**
   * The failures, their causes and suppressed exceptions, and the exception a failed transaction rollback overrode
   * (Spring keeps it aside, not as the cause: "JDBC rollback failed" hides the lost connection that made it).
   */
  private static List<Throwable> allOf(Collection<? extends Throwable> failures) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Throwable> all = new ArrayList<>();
    Deque<Throwable> todo = new ArrayDeque<>(failures);
    while (!todo.isEmpty()) {
      Throwable t = todo.removeFirst();
      if (!seen.add(t)) {
        continue;
      }
      all.add(t);
      if (t.getCause() != null) {
        todo.addLast(t.getCause());
      }
      todo.addAll(List.of(t.getSuppressed()));
      if (t instanceof TransactionSystemException tx && tx.getApplicationException() != null) {
        todo.addLast(tx.getApplicationException());
      }
    }
    return all;
  }

  private static String describe(String detail) {
    String oneLine = detail == null ? "" : detail.lines().findFirst().orElse("").strip();
    return "lost the connection to PostgreSQL" + (oneLine.isEmpty() ? "" : " (" + oneLine + ")")
        + ": the server was restarted, shut down or became unreachable";
  }

  /**
   * SQLSTATE class 08 (connection exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now), the
   * pool's timeout waiting for a connection, or the pool's closed connection.
   */
  private static boolean isConnectionState(SQLException e) {
    String state = state(e);
    return state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
        || e instanceof SQLTransientConnectionException
        // Hikari's proxy of a connection it evicted as broken (no SQLSTATE): what a transaction's rollback meets
        // when the server ended the session under it, after Spring dropped the first error for the rollback's
        || (state.isEmpty() && "Connection is closed".equals(e.getMessage()));
  }

  private static String state(SQLException e) {
    return e.getSQLState() == null ? "" : e.getSQLState();
  }
}
