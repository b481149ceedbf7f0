package org.rollbackjobs.jobs.retrain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.jobs.http.HttpAnswers;
import org.rollbackjobs.jobs.launch.Attempt;
import org.rollbackjobs.jobs.secrets.Redaction;
import org.rollbackjobs.jobs.store.StoredJson;
import org.rollbackjobs.jobs.system.TriggerSpec.AirflowTrigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Delivers a stored retrain request over HTTP: a webhook POST of the request (with {@code Idempotency-Key}), or
 * an Airflow DAG run ({@code POST .../dagRuns} with {@code dag_run_id} derived from the key and the request as
 * {@code conf}; 409 means that run exists: delivered before). Connection errors, timeouts, 429 and 5xx are
 * retried with exponential backoff ({@link RetrainProperties}); other 4xx are not. Credentials are never logged.
 */
@Component
public class RetrainDelivery {
  private static final Logger LOG = LoggerFactory.getLogger(RetrainDelivery.class);

  private final RetrainProperties settings;
  private final SecretSource secrets;
  private final HttpClient http;

  public RetrainDelivery(RetrainProperties settings, SecretSource secrets) {
    this.settings = settings;
    this.secrets = secrets;
    this.http = HttpClient.newBuilder()
        .connectTimeout(settings.timeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * The outcome of one attempt.
   *
   * @param httpStatus the response status, null when there was no response
   * @param error what went wrong (null when delivered)
   * @param retryable whether another attempt may succeed
   */
  public record Attempt(boolean delivered, Integer httpStatus, String error, boolean retryable) {}

  /** Fails with bad input when a credential variable the channel names is not set (checked before anything runs). */
  public void checkCredentials(String model, RetrainChannel channel) {
    AirflowTrigger airflow = channel.airflow();
    if (airflow == null) {
      return;
    }
    for (String variable : new String[] {airflow.usernameEnv(), airflow.passwordEnv(), airflow.tokenEnv()}) {
      if (variable != null && secrets.get(variable).isEmpty()) {
        throw new BadInputException("model " + model + ": the environment variable " + variable
            + " named by trigger.airflow of the system file is not set; set it to the Airflow credential");
      }
    }
  }

  /**
   * Attempts the delivery up to {@code max-attempts} times; {@code onAttempt} sees every attempt (to record it)
   * before the next one. Returns the last attempt.
   */
  public Attempt deliver(RetrainChannel channel, String requestKey, String payload, Consumer<Attempt> onAttempt) {
    byte[] body = body(channel, requestKey, payload);
    RetryPolicyBuilder<Attempt> policy = RetryPolicy.<Attempt>builder()
        .handleResultIf(a -> !a.delivered() && a.retryable())
        .withMaxAttempts(settings.maxAttempts())
        .onRetry(e -> LOG.warn("retrain request {}: {} {} attempt {} failed ({}), retrying", shortKey(requestKey),
            channel.name(), channel.target(), e.getAttemptCount(), e.getLastResult().error()));
    if (settings.initialBackoff().compareTo(settings.maxBackoff()) < 0 && !settings.initialBackoff().isZero()) {
      policy.withBackoff(settings.initialBackoff(), settings.maxBackoff());
    } else {
      policy.withDelay(settings.initialBackoff());
    }
    return Failsafe.with(policy.build()).get(() -> {
      Attempt attempt = attempt(channel, requestKey, body);
      onAttempt.accept(attempt);
      return attempt;
    });
  }

  private Attempt attempt(RetrainChannel channel, String requestKey, byte[] body) throws InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(channel.url())
        .timeout(settings.timeout())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (channel.airflow() == null) {
      request.header("Idempotency-Key", requestKey);
    }
    authorization(channel.airflow()).ifPresent(value -> request.header("Authorization", value));
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // connection refused or reset, timeout: another attempt may succeed
      return new Attempt(false, null, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": "
          + Redaction.scrub(e.getMessage(), credentials(channel))), true);
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      LOG.info("retrain request {}: {} {} answered {}", shortKey(requestKey), channel.name(), channel.target(), status);
      return new Attempt(true, status, null, false);
    }
    if (status == 409 && channel.airflow() != null) {
      LOG.info("retrain request {}: Airflow already has DAG run {} (409): delivered before", shortKey(requestKey),
          RetrainRequest.dagRunId(requestKey));
      return new Attempt(true, status, null, false);
    }
    boolean retryable = status == 429 || status >= 500;
    return new Attempt(false, status, "HTTP " + status + HttpAnswers.excerpt(response.body(), credentials(channel)),
        retryable);
  }

  /**
   * What of the request is secret, to be kept out of what the server answers: the Authorization header and the
   * credentials in it, and the query and user info of the URL (a webhook's token).
   */
  private List<String> credentials(RetrainChannel channel) {
    List<String> credentials = new ArrayList<>();
    authorization(channel.airflow()).ifPresent(value -> {
      credentials.add(value);
      credentials.add(value.substring(value.indexOf(' ') + 1));
    });
    AirflowTrigger airflow = channel.airflow();
    if (airflow != null) {
      for (String variable : new String[] {airflow.passwordEnv(), airflow.tokenEnv()}) {
        if (variable != null) {
          secrets.get(variable).ifPresent(credentials::add);
        }
      }
    }
    URI url = channel.url();
    for (String part : new String[] {url.getRawQuery(), url.getQuery(), url.getRawUserInfo(), url.getUserInfo()}) {
      if (part != null) {
        credentials.add(part);
      }
    }
    return credentials;
  }

  private Optional<String> authorization(AirflowTrigger airflow) {
    if (airflow == null) {
      return Optional.empty();
    }
    if (airflow.tokenEnv() != null) {
      return Optional.of("Bearer " + secret(airflow.tokenEnv()));
    }
    if (airflow.usernameEnv() != null) {
      String credentials = secret(airflow.usernameEnv()) + ":" + secret(airflow.passwordEnv());
      return Optional.of("Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }
    return Optional.empty();
  }

  private String secret(String variable) {
    return secrets.get(variable).orElseThrow(() -> new IllegalStateException("environment variable " + variable
        + " (an Airflow credential) is not set"));
  }

  private static byte[] body(RetrainChannel channel, String requestKey, String payload) {
    if (channel.airflow() == null) {
      return payload.getBytes(StandardCharsets.UTF_8);
    }
    ObjectNode body = StoredJson.objectNode();
    body.put("dag_run_id", RetrainRequest.dagRunId(requestKey));
    body.set("conf", StoredJson.tree(payload));
    return StoredJson.bytes(body);
  }

  static String shortKey(String key) {
    return key.length() > 12 ? key.substring(0, 12) : key;
  }

}
