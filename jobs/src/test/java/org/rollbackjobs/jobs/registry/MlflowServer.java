package org.rollbackjobs.jobs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.rollbackjobs.jobs.http.TestExchanges;

/**
 * A real HTTP server on a free local port implementing the few endpoints of MLflow's model registry REST API that
 * the rollback uses, over a small in-memory registry: {@code GET /api/2.0/mlflow/registered-models/alias?name=&alias=}
 * and {@code POST /api/2.0/mlflow/registered-models/alias} with {@code {"name","alias","version"}}, and
 * {@code GET /api/2.0/mlflow/model-versions/get?name=&version=}, answering as
 * MLflow does (404 {@code RESOURCE_DOES_NOT_EXIST} for an unknown model, version or alias; 400
 * {@code INVALID_PARAMETER_VALUE} for a malformed request). Prompts are registered models tagged
 * {@code mlflow.prompt.is_prompt=true}, as in MLflow 3. Records every request (method, path, raw query, headers,
 * body); can answer the next requests with queued failures (status and Retry-After), whose message may echo the
 * request back, headers included, as some servers and proxies do.
 */
public final class MlflowServer implements AutoCloseable {
  public static final String ALIAS = "/api/2.0/mlflow/registered-models/alias";
  public static final String VERSION = "/api/2.0/mlflow/model-versions/get";
  private static final ObjectMapper JSON = new ObjectMapper();

  public record Received(String method, String path, String query, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase());
    }
  }

  private record Failure(int status, String retryAfter, boolean echo) {}

  private record Model(boolean prompt, Set<String> versions, Map<String, String> aliases) {}

  private final HttpServer server;
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Model> models = new ConcurrentHashMap<>();
  private final ConcurrentLinkedDeque<Failure> failures = new ConcurrentLinkedDeque<>();
  private volatile Integer refusePosts;

  public MlflowServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /** A registered model (or prompt) with these versions. */
  public MlflowServer register(String name, boolean prompt, String... versions) {
    models.put(name, new Model(prompt, new LinkedHashSet<>(List.of(versions)), new ConcurrentHashMap<>()));
    return this;
  }

  /** Points an alias at a version, as someone deploying would. */
  public MlflowServer alias(String name, String alias, String version) {
    Model model = models.get(name);
    if (model == null || !model.versions().contains(version)) {
      throw new IllegalArgumentException("no version " + version + " of " + name);
    }
    model.aliases().put(alias, version);
    return this;
  }

  public String aliasOf(String name, String alias) {
    return models.get(name).aliases().get(alias);
  }

  /** Answers the next request with this status (and Retry-After, if not null) before serving any. */
  public MlflowServer thenFail(int status, String retryAfter) {
    failures.addLast(new Failure(status, retryAfter, false));
    return this;
  }

  /** Answers the next request with this status and a message that repeats the request, its headers included. */
  public MlflowServer thenFailEchoing(int status) {
    failures.addLast(new Failure(status, null, true));
    return this;
  }

  /** Answers every POST (setting an alias) with this status and the request echoed, until {@link #clearFailures}. */
  public MlflowServer refusePostsEchoing(int status) {
    refusePosts = status;
    return this;
  }

  /** Forgets the queued failures and refusals: the next requests are served. */
  public MlflowServer clearFailures() {
    failures.clear();
    refusePosts = null;
    return this;
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  public List<Received> received(String method) {
    return received().stream().filter(r -> r.method().equals(method)).toList();
  }

  public void forget() {
    received.clear();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    Map<String, String> headers = TestExchanges.headers(exchange);
    String body = TestExchanges.body(exchange);
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getRawPath();
    String query = exchange.getRequestURI().getRawQuery();
    received.add(new Received(method, path, query, headers, body));
    Failure failure = refusePosts != null && method.equals("POST") ? new Failure(refusePosts, null, true)
        : failures.pollFirst();
    if (failure != null) {
      if (failure.retryAfter() != null) {
        exchange.getResponseHeaders().add("Retry-After", failure.retryAfter());
      }
      answer(exchange, failure.status(), error(failure.status() == 401 ? "UNAUTHENTICATED" : "TEMPORARILY_UNAVAILABLE",
          failure.echo() ? "refused " + method + " " + path + (query == null ? "" : "?" + query) + " with headers "
              + headers : "test server fails this request"));
      return;
    }
    if (VERSION.equals(path) && method.equals("GET")) {
      Map<String, String> params = params(query);
      Model model = models.get(params.get("name"));
      if (model == null || !model.versions().contains(params.get("version"))) {
        answer(exchange, 404, error("RESOURCE_DOES_NOT_EXIST", "Model Version (name=" + params.get("name")
            + ", version=" + params.get("version") + ") not found"));
        return;
      }
      answer(exchange, 200, JSON.writeValueAsString(Map.of("model_version", Map.of("name", params.get("name"),
          "version", params.get("version"), "status", "READY"))));
    } else if (!ALIAS.equals(path)) {
      answer(exchange, 404, error("ENDPOINT_NOT_FOUND", "no endpoint " + method + " " + path + " here"));
    } else if (method.equals("GET")) {
      Map<String, String> params = params(query);
      Model model = models.get(params.get("name"));
      String version = model == null ? null : model.aliases().get(params.get("alias"));
      if (version == null) {
        answer(exchange, 404, error("RESOURCE_DOES_NOT_EXIST", "Registered model alias " + params.get("alias")
            + " not found."));
        return;
      }
      Map<String, Object> modelVersion = new LinkedHashMap<>();
      modelVersion.put("name", params.get("name"));
      modelVersion.put("version", version);
      modelVersion.put("creation_timestamp", 1767225600000L);
      modelVersion.put("current_stage", "None");
      modelVersion.put("status", "READY");
      modelVersion.put("aliases", model.aliases().entrySet().stream().filter(e -> e.getValue().equals(version))
          .map(Map.Entry::getKey).sorted().toList());
      if (model.prompt()) {
        modelVersion.put("tags", List.of(Map.of("key", "mlflow.prompt.is_prompt", "value", "true")));
      }
      answer(exchange, 200, JSON.writeValueAsString(Map.of("model_version", modelVersion)));
    } else if (method.equals("POST")) {
      JsonNode request;
      try {
        request = JSON.readTree(body);
      } catch (IOException e) {
        answer(exchange, 400, error("INVALID_PARAMETER_VALUE", "malformed JSON"));
        return;
      }
      if (!request.path("name").isTextual() || !request.path("alias").isTextual()
          || !request.path("version").isTextual()) {
        answer(exchange, 400, error("INVALID_PARAMETER_VALUE", "name, alias and version are required strings"));
        return;
      }
      Model model = models.get(request.get("name").asText());
      if (model == null || !model.versions().contains(request.get("version").asText())) {
        answer(exchange, 404, error("RESOURCE_DOES_NOT_EXIST", "Model Version (name=" + request.get("name").asText()
            + ", version=" + request.get("version").asText() + ") not found"));
        return;
      }
      model.aliases().put(request.get("alias").asText(), request.get("version").asText());
      answer(exchange, 200, "{}");
    } else {
      answer(exchange, 405, error("BAD_REQUEST", "method " + method + " not allowed"));
    }
  }

  private static Map<String, String> params(String query) {
    Map<String, String> params = new LinkedHashMap<>();
    if (query != null) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        params.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return params;
  }

  private static String error(String code, String message) throws IOException {
    return JSON.writeValueAsString(Map.of("error_code", code, "message", message));
  }

  private static void answer(HttpExchange exchange, int status, String json) throws IOException {
    TestExchanges.answerJson(exchange, status, json);
  }
}
