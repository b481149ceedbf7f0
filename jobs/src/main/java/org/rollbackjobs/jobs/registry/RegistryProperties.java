package org.rollbackjobs.jobs.registry;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code rollback.registry.*}: how calls to model and prompt registries (MLflow) are retried. Connection errors,
 * timeouts, 429 and 5xx are retried with exponential backoff, or after the server's {@code Retry-After} when it
 * sends one (at most {@code max-backoff}); other 4xx are not.
 *
 * @param maxAttempts attempts per call, the first included (default 4)
 * @param initialBackoff wait before the second attempt, doubled for each further one (default 500ms)
 * @param maxBackoff the longest wait between two attempts, also for a longer Retry-After (default 30s)
 * @param timeout connect and response timeout of one attempt (default 10s)
 */
@ConfigurationProperties(prefix = "rollback.registry")
public record RegistryProperties(Integer maxAttempts, Duration initialBackoff, Duration maxBackoff,
    Duration timeout) {

  public RegistryProperties {
    maxAttempts = maxAttempts == null || maxAttempts < 1 ? 4 : maxAttempts;
    initialBackoff = initialBackoff == null || initialBackoff.isNegative() ? Duration.ofMillis(500) : initialBackoff;
    maxBackoff = maxBackoff == null || maxBackoff.isNegative() ? Duration.ofSeconds(30) : maxBackoff;
    timeout = timeout == null || timeout.isZero() || timeout.isNegative() ? Duration.ofSeconds(10) : timeout;
  }

  /** The wait before attempt {@code attempt + 1}: initial backoff doubled per attempt, at most max-backoff. */
  Duration backoff(int attempt) {
    Duration delay = initialBackoff;
    for (int i = 1; i < attempt && delay.compareTo(maxBackoff) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay;
  }
}
