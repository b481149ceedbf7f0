package org.rollbackjobs.jobs.retrain;

import java.time.Duration;
import org.rollbackjobs.vector.http.BoundedHttp;
import org.rollbackjobs.vector.http.RetrySettings;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code rollback.retrain.*}: how the HTTP deliveries of retrain requests (webhook, Airflow) are retried.
 * Connection errors, timeouts, 429 and 5xx are retried with exponential backoff, or after the server's
 * {@code Retry-After} when it is not longer than {@code max-backoff} (a longer one is not waited for: the channel
 * fails at once, saying so); other 4xx are not. A delivery to one channel ends within max-attempts x (timeout +
 * max-backoff).
 *
 * @param maxAttempts attempts per channel and run, the first included (default 5)
 * @param initialBackoff wait before the second attempt, doubled for each further one (default 1s)
 * @param maxBackoff the longest wait between two attempts, and the longest {@code Retry-After} waited for (default
 *     30s)
 * @param timeout the deadline of one attempt: connecting, sending and receiving the whole answer, body included
 *     (default 10s)
 */
@ConfigurationProperties(prefix = "rollback.retrain")
public record RetrainProperties(Integer maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration timeout) {

  public RetrainProperties {
    maxAttempts = maxAttempts == null || maxAttempts < 1 ? 5 : maxAttempts;
    initialBackoff = initialBackoff == null || initialBackoff.isNegative() ? Duration.ofSeconds(1) : initialBackoff;
    maxBackoff = maxBackoff == null || maxBackoff.isNegative() ? Duration.ofSeconds(30) : maxBackoff;
    timeout = timeout == null || timeout.isZero() || timeout.isNegative() ? Duration.ofSeconds(10) : timeout;
  }

  /** The retries as {@link BoundedHttp} takes them. */
  public RetrySettings retries() {
    return new RetrySettings("rollback.retrain", maxAttempts, timeout, initialBackoff, maxBackoff);
  }

  public static RetrainProperties defaults() {
    return new RetrainProperties(null, null, null, null);
  }
}
