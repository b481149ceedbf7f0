package org.rollbackjobs.jobs.retrain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
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
import org.rollbackjobs.vector.http.BoundedHttp;
import org.rollbackjobs.vector.http.BoundedHttp.Outcome;
import org.rollbackjobs.vector.http.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Delivers a stored retrain request over HTTP: a webhook POST of the request (with {@code Idempotency-Key}), or
 * an Airflow DAG run ({@code POST .../dagRuns} with {@code dag_run_id} derived from the key and the request as
 * {@code conf}; 409 means that run exists: delivered before). Each attempt must be answered completely within the
 * timeout; connection errors, timeouts, 429 and 5xx are retried with exponential backoff, honouring
 * {@code Retry-After} up to the maximum backoff ({@link RetrainProperties}, {@link BoundedHttp}); other 4xx are
 * not. Credentials are never logged.
 */
@Component
public class RetrainDelivery {
  private static final Logger LOG = LoggerFactory.getLogger(RetrainDelivery.class);

  private final SecretSource secrets;
  private final BoundedHttp http;

  public RetrainDelivery(RetrainProperties settings, SecretSource secrets) {
    this.secrets = secrets;
    this.http = new BoundedHttp(HttpClient.newBuilder()
        .connectTimeout(settings.timeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build(), settings.retries());
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
   * Attempts the delivery up to {@code max-attempts} times ({@link BoundedHttp}); {@code onAttempt} sees every
   * attempt (to record it) before the next one. Returns the last attempt; when the server asked to wait longer than
   * {@code max-backoff} (or the process is stopping), its error says so.
   */
  public Attempt deliver(RetrainChannel channel, String requestKey, String payload, Consumer<Attempt> onAttempt) {
    HttpRequest.Builder request = HttpRequest.newBuilder(channel.url())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body(channel, requestKey, payload)));
    if (channel.airflow() == null) {
      request.header("Idempotency-Key", requestKey);
    }
    authorization(channel.airflow()).ifPresent(value -> request.header("Authorization", value));
    List<String> credentials = credentials(channel);
    Outcome outcome = http.call("retrain request " + shortKey(requestKey) + ": " + channel.name() + " "
        + channel.target(), request.build(), exchange -> onAttempt.accept(attempt(channel, exchange, credentials)));
    Attempt last = attempt(channel, outcome.last(), credentials);
    if (last.delivered()) {
      LOG.info("retrain request {}: {} {} answered {}{}", shortKey(requestKey), channel.name(), channel.target(),
          last.httpStatus(), last.httpStatus() == 409 ? " (Airflow has DAG run " + RetrainRequest.dagRunId(requestKey)
              + " already: delivered before)" : "");
    }
    return outcome.why() == null ? last
        : new Attempt(false, last.httpStatus(), last.error() + " (" + outcome.why() + ")", false);
  }

  /**
   * What the run reports about a channel that was not delivered: the channel, its URL (without credentials), the
   * attempts it took, the last error.
   *
   * @param attempts every attempt at this channel so far, earlier runs included
   */
  public static String failure(RetrainChannel channel, int attempts, Attempt last) {
    return channel.name() + " " + channel.target() + " failed after " + attempts
        + (attempts == 1 ? " attempt" : " attempts") + " (" + last.error() + ")" + (last.retryable() ? ""
        : ", not retried");
  }

  private static Attempt attempt(RetrainChannel channel, Exchange exchange, List<String> credentials) {
    if (!exchange.answered()) { // connection refused or reset, no answer in time: another attempt may succeed
      return new Attempt(false, null, Redaction.scrub(exchange.summary(), credentials), true);
    }
    int status = exchange.status();
    if (exchange.succeeded() || (status == 409 && channel.airflow() != null)) { // 409: that DAG run exists
      return new Attempt(true, status, null, false);
    }
    return new Attempt(false, status, "HTTP " + status + HttpAnswers.excerpt(exchange.body(), credentials),
        exchange.retryable());
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
