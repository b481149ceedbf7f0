package org.rollbackjobs.jobs.launch;

import java.util.Optional;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.ConcurrentChangeException;
import org.rollbackjobs.jobs.verify.MixedVersionStateException;
import org.rollbackjobs.vector.embedding.QuarantinedVersionException;

/**
 * The exit codes of every command (design.md), and the one mapping from what went wrong to its code and message.
 */
public final class ExitCodes {
  /** Completed, also when there was nothing to do. */
  public static final int OK = 0;
  /** Failed while running; the execution can be restarted. */
  public static final int FAILED = 1;
  /** Bad usage or bad input; nothing changed. */
  public static final int BAD_INPUT = 2;
  /** Verification found mixed-version state. */
  public static final int MIXED_VERSION = 3;
  /** Refused by a guard (concurrent rollback, approval, readiness, quarantine). */
  public static final int REFUSED = 4;

  private ExitCodes() {}

  /** The exit code a failure calls for: the first cause along the chain that has one decides; else 1. */
  public static int of(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      Integer code = codeOf(t);
      if (code != null) {
        return code;
      }
    }
    return FAILED;
  }

  /**
   * The message to show for a failure: that of the first cause with an exit code of its own (it was written for
   * the user), else the root cause's.
   */
  public static String message(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (codeOf(t) != null || t instanceof ConcurrentChangeException || t instanceof JobFailedException) {
        return t.getMessage();
      }
    }
    Optional<String> lost = ConnectionLoss.in(e);
    if (lost.isPresent()) {
      return lost.get();
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }

  /**
   * Whether the message says it all (no stack trace needed): anything with its own exit code, a known failure, or
   * the loss of the database connection.
   */
  public static boolean expected(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (codeOf(t) != null || t instanceof ConcurrentChangeException || t instanceof JobFailedException) {
        return true;
      }
    }
    return ConnectionLoss.in(e).isPresent();
  }

  private static Integer codeOf(Throwable t) {
    if (t instanceof BadInputException || t instanceof NoSuchTableException
        || t instanceof picocli.CommandLine.ParameterException) {
      return BAD_INPUT;
    }
    if (t instanceof RefusedException || t instanceof QuarantinedVersionException) {
      return REFUSED;
    }
    if (t instanceof MixedVersionStateException) {
      return MIXED_VERSION;
    }
    return null;
  }
}
