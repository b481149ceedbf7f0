package org.rollbackjobs.jobs.retrain;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code rollback.retrain.*}: how the HTTP deliveries of retrain requests (webhook, Airflow) are retried.
 * Connection errors, timeouts, 429 and 5xx are retried with exponential backoff; other 4xx are not.
 *
 * @param maxAttempts attempts per channel and run, the first included (default 5)
 * @param initialBackoff wait before the second attempt, doubled for each further one (default 1s)
 * @param maxBackoff the longest wait between two attempts (default 30s)
 * @param timeout connect and response timeout of one attempt (default 10s)
 */
@ConfigurationProperties(prefix = "rollback.retrain")
public record RetrainProperties(Integer maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration timeout) {

  public RetrainProperties {
    maxAttempts = maxAttempts == null || maxAttempts < 1 ? 5 : maxAttempts;
    initialBackoff = initialBackoff == null || initialBackoff.isNegative() ? Duration.ofSeconds(1) : initialBackoff;
    maxBackoff = maxBackoff == null || maxBackoff.isNegative() ? Duration.ofSeconds(30) : maxBackoff;
    timeout = timeout == null || timeout.isZero() || timeout.isNegative() ? Duration.ofSeconds(10) : timeout;
  }

  public static RetrainProperties defaults() {
    return new RetrainProperties(null, null, null, null);
  }
}
