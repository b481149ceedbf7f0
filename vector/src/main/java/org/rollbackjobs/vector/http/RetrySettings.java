package org.rollbackjobs.vector.http;

import java.time.Duration;
import java.util.Objects;

/**
 * How one client of a remote endpoint retries: at most {@code maxAttempts} attempts, each a whole exchange
 * (connect, send, the answer's headers and its whole body) within {@code deadline}, separated by exponential
 * backoff ({@code initialBackoff} doubled per failed attempt, at most {@code maxBackoff}). A server's
 * {@code Retry-After} replaces the backoff while it is not longer than {@code maxBackoff}; a longer one is not
 * waited for. So a call never takes longer than {@link #longest()}.
 *
 * @param prefix the prefix of the client's settings, named in messages ({@code rollback.notify}); empty when the
 *     settings have no names
 */
public record RetrySettings(String prefix, int maxAttempts, Duration deadline, Duration initialBackoff,
    Duration maxBackoff) {

  public RetrySettings {
    prefix = prefix == null ? "" : prefix;
    String named = prefix; // the field is not set yet: messages name the settings through this
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException(name(named, "max-attempts") + " is " + maxAttempts + "; expected 1 or more");
    }
    if (deadline.isZero() || deadline.isNegative()) {
      throw new IllegalArgumentException(name(named, "timeout") + " is " + deadline + "; expected a positive duration"
          + " such as 10s");
    }
    if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
      throw new IllegalArgumentException(name(named, "initial-backoff") + " and " + name(named, "max-backoff")
          + " must not be negative; expected durations such as 1s and 30s");
    }
  }

  /** The wait after {@code failedAttempts} failed attempts: the initial backoff doubled per further one, capped. */
  public Duration backoff(int failedAttempts) {
    Duration wait = initialBackoff;
    for (int i = 1; i < failedAttempts && wait.compareTo(maxBackoff) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
  }

  /** The longest a call can take: every attempt up to its deadline, the longest wait between any two. */
  public Duration longest() {
    return deadline.multipliedBy(maxAttempts).plus(maxBackoff.multipliedBy(maxAttempts - 1L));
  }

  /** The full name of one of these settings, for messages: {@code rollback.notify.max-backoff}. */
  public String setting(String name) {
    return name(prefix, name);
  }

  private static String name(String prefix, String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }
}
