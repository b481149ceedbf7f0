package org.rollbackjobs.jobs.registry;

import java.time.Duration;
import org.rollbackjobs.vector.http.BoundedHttp;
import org.rollbackjobs.vector.http.RetrySettings;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code rollback.registry.*}: how calls to model and prompt registries (MLflow) are retried. Connection errors,
 * timeouts, 429 and 5xx are retried with exponential backoff, or after the server's {@code Retry-After} when it
 * is not longer than {@code max-backoff} (a longer one is not waited for: the call fails at once, saying so);
 * other 4xx are not. A call ends within max-attempts x (timeout + max-backoff).
 *
 * @param maxAttempts attempts per call, the first included (default 4)
 * @param initialBackoff wait before the second attempt, doubled for each further one (default 500ms)
 * @param maxBackoff the longest wait between two attempts, and the longest {@code Retry-After} waited for (default
 *     30s)
 * @param timeout the deadline of one attempt: connecting, sending and receiving the whole answer, body included
 *     (default 10s)
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

  /** The retries as {@link BoundedHttp} takes them. */
  public RetrySettings retries() {
    return new RetrySettings("rollback.registry", maxAttempts, timeout, initialBackoff, maxBackoff);
  }
}
