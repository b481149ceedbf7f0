package org.rollbackjobs.jobs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.jobs.http.HttpAnswers;
import org.rollbackjobs.jobs.retrain.SecretSource;
import org.rollbackjobs.jobs.secrets.Redaction;
import org.rollbackjobs.jobs.store.StoredJson;
import org.rollbackjobs.jobs.system.RegistrySpec.Mlflow;
import org.rollbackjobs.vector.http.BoundedHttp;
import org.rollbackjobs.vector.http.BoundedHttp.Outcome;
import org.rollbackjobs.vector.http.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * MLflow's model registry REST API, the two calls a rollback needs: which version an alias points at
 * ({@code GET /api/2.0/mlflow/registered-models/alias?name=N&alias=A}) and setting an alias to a version
 * ({@code POST /api/2.0/mlflow/registered-models/alias} with {@code {"name", "alias", "version"}}). MLflow 3's
 * prompt registry keeps prompts as registered models (tagged {@code mlflow.prompt.is_prompt=true}) with the same
 * alias endpoints, so prompts use the same calls.
 *
 * <p>A bearer token is read from the environment variable the system file names ({@code token-env}), never logged.
 * Each attempt must be answered completely within the timeout; connection errors, timeouts, 429 and 5xx are
 * retried with backoff, honouring {@code Retry-After} up to the maximum backoff ({@link RegistryProperties},
 * {@link BoundedHttp}).
 */
@Component
public class MlflowRegistryClient {
  static final String ALIAS_PATH = "/api/2.0/mlflow/registered-models/alias";
  static final String VERSION_PATH = "/api/2.0/mlflow/model-versions/get";
  private static final Logger LOG = LoggerFactory.getLogger(MlflowRegistryClient.class);

  private final SecretSource secrets;
  private final BoundedHttp http;

  public MlflowRegistryClient(RegistryProperties settings, SecretSource secrets) {
    this.secrets = secrets;
    this.http = new BoundedHttp(HttpClient.newBuilder()
        .connectTimeout(settings.timeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build(), settings.retries());
  }

  /**
   * The server's last answer to a call.
   *
   * @param gaveUp why a retryable answer (429, 5xx) was not retried ({@link Outcome#gaveUp()}); null for a final one
   */
  private record Answer(int status, String body, String gaveUp) {}

  /**
   * The version the alias points at; empty when MLflow says it does not exist (404: the alias is not set, or there
   * is no such registered model).
   *
   * @param owner what the registry serves, for messages ({@code model churn})
   */
  public Optional<String> aliasVersion(String owner, Mlflow registry) {
    URI uri = URI.create(registry.base() + ALIAS_PATH + "?name=" + encode(registry.name()) + "&alias="
        + encode(registry.alias()));
    Answer answer = call(owner, registry, "GET", uri, null);
    if (answer.status() == 404) {
      return Optional.empty();
    }
    if (answer.status() < 200 || answer.status() >= 300) {
      throw failed(owner, registry, "GET", uri, answer);
    }
    JsonNode version;
    try {
      version = StoredJson.tree(answer.body()).path("model_version").path("version");
    } catch (RuntimeException e) {
      throw new RegistryException(owner + ": MLflow GET " + shown(uri) + " answered " + answer.status()
          + " with a body that is not JSON" + HttpAnswers.excerpt(answer.body(), credentials(registry)));
    }
    if (version.isMissingNode() || version.isNull() || version.asText().isBlank()) {
      throw new RegistryException(owner + ": MLflow GET " + shown(uri) + " answered " + answer.status()
          + " without model_version.version" + HttpAnswers.excerpt(answer.body(), credentials(registry)));
    }
    return Optional.of(version.asText());
  }

  /**
   * Whether the registered model has this version ({@code GET .../model-versions/get}); false when MLflow says it
   * does not exist (404). Changes nothing: a drill checks the version a rollback would point the alias at.
   */
  public boolean versionExists(String owner, Mlflow registry, String version) {
    URI uri = URI.create(registry.base() + VERSION_PATH + "?name=" + encode(registry.name()) + "&version="
        + encode(version));
    Answer answer = call(owner, registry, "GET", uri, null);
    if (answer.status() == 404) {
      return false;
    }
    if (answer.status() < 200 || answer.status() >= 300) {
      throw failed(owner, registry, "GET", uri, answer);
    }
    return true;
  }

  /** Points the alias at the version ({@code POST .../registered-models/alias}); MLflow moves it if set. */
  public void setAlias(String owner, Mlflow registry, String version) {
    URI uri = URI.create(registry.base() + ALIAS_PATH);
    ObjectNode body = StoredJson.objectNode();
    body.put("name", registry.name());
    body.put("alias", registry.alias());
    body.put("version", version);
    Answer answer = call(owner, registry, "POST", uri, StoredJson.bytes(body));
    if (answer.status() < 200 || answer.status() >= 300) {
      throw failed(owner, registry, "POST", uri, answer);
    }
    LOG.info("{}: MLflow alias {} of {} set to version {}", owner, registry.alias(), registry.name(), version);
  }

  /** Fails with bad input when the token variable the system file names is not set (checked before changes). */
  public void checkCredentials(String owner, Mlflow registry) {
    if (registry.tokenEnv() != null && secrets.get(registry.tokenEnv()).isEmpty()) {
      throw new BadInputException(owner + ": the environment variable " + registry.tokenEnv() + " named by"
          + " registry.mlflow.token-env of the system file is not set; set it to the MLflow token");
    }
  }

  private Answer call(String owner, Mlflow registry, String method, URI uri, byte[] body) {
    checkCredentials(owner, registry);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .header("Accept", "application/json");
    if (body == null) {
      request.GET();
    } else {
      request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }
    if (registry.tokenEnv() != null) {
      request.header("Authorization", "Bearer " + secrets.get(registry.tokenEnv()).orElseThrow());
    }
    Outcome outcome = http.call(owner + ": MLflow " + method + " " + shown(uri), request.build());
    Exchange last = outcome.last();
    if (!last.answered()) {
      throw new RegistryException(owner + ": MLflow " + method + " " + shown(uri) + " failed " + outcome.gaveUp()
          + ": " + Redaction.scrub(last.summary(), credentials(registry)));
    }
    return new Answer(last.status(), last.body(), outcome.gaveUp());
  }

  private RegistryException failed(String owner, Mlflow registry, String method, URI uri, Answer answer) {
    return new RegistryException(owner + ": MLflow " + method + " " + shown(uri) + " answered HTTP " + answer.status()
        + (answer.gaveUp() == null ? "" : " (" + answer.gaveUp() + ")")
        + HttpAnswers.excerpt(answer.body(), credentials(registry)));
  }

  /** The URL as messages show it: a password in its user info or a token in its query masked. */
  private static String shown(URI uri) {
    return Redaction.url(uri.toString());
  }

  /** The token sent, and its Authorization header: kept out of whatever MLflow (or a proxy) answers. */
  private List<String> credentials(Mlflow registry) {
    if (registry.tokenEnv() == null) {
      return List.of();
    }
    return secrets.get(registry.tokenEnv()).map(token -> List.of("Bearer " + token, token)).orElse(List.of());
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
