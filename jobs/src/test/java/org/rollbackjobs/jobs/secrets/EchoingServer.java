package org.rollbackjobs.jobs.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.rollbackjobs.jobs.http.TestExchanges;

/**
 * A real HTTP server on a free local port standing in for the remote endpoints that get credentials: an
 * OpenAI-compatible embeddings endpoint ({@code POST .../embeddings}, deterministic vectors of {@link #DIMENSION}
 * from each text), retrain webhooks, Airflow and notification webhooks (any other path: 200). Records every request
 * (method, URI with query, headers, body). A path can be made to refuse: then every request under it is answered
 * with that status and a body that repeats the request back, its URI and headers (Authorization included), as
 * careless servers and proxies do, in OpenAI's error format ({@code {"error":{"message":...}}}).
 */
final class EchoingServer implements AutoCloseable {
  static final int DIMENSION = 8;
  private static final ObjectMapper JSON = new ObjectMapper();

  record Received(String method, String uri, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase());
    }
  }

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "echoing-server");
    t.setDaemon(true);
    return t;
  });
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Integer> refusing = new ConcurrentHashMap<>();

  EchoingServer() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  String url(String pathAndQuery) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery;
  }

  /** Every request under {@code pathPrefix} is answered with {@code status}, echoing the request. */
  EchoingServer refuse(String pathPrefix, int status) {
    refusing.put(pathPrefix, status);
    return this;
  }

  /** Answers every request again. */
  EchoingServer accept() {
    refusing.clear();
    return this;
  }

  List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  List<Received> received(String pathPrefix) {
    return received().stream().filter(r -> r.uri().startsWith(pathPrefix)).toList();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    Map<String, String> headers = TestExchanges.headers(exchange);
    String body = TestExchanges.body(exchange);
    String uri = exchange.getRequestURI().toString();
    received.add(new Received(exchange.getRequestMethod(), uri, headers, body));
    Integer refusal = refusing.entrySet().stream().filter(e -> uri.startsWith(e.getKey())).map(Map.Entry::getValue)
        .findFirst().orElse(null);
    try {
      if (refusal != null) {
        ObjectNode error = JSON.createObjectNode();
        error.putObject("error").put("message", "refused " + exchange.getRequestMethod() + " " + uri
            + "; Authorization: " + headers.get("authorization") + "; headers: " + headers);
        answer(exchange, refusal, JSON.writeValueAsString(error));
      } else if (exchange.getRequestURI().getPath().endsWith("/embeddings")) {
        answer(exchange, 200, embeddings(JSON.readTree(body)));
      } else {
        answer(exchange, 200, "{\"ok\":true}");
      }
    } catch (IOException clientGone) {
      // the client timed out and went away: nothing to answer
    }
  }

  /** OpenAI's answer: one vector per input text, derived from the text alone. */
  private static String embeddings(JsonNode request) throws IOException {
    ObjectNode answer = JSON.createObjectNode();
    ArrayNode data = answer.putArray("data");
    JsonNode input = request.path("input");
    for (int i = 0; i < input.size(); i++) {
      Random random = new Random(input.get(i).asText().hashCode() * 31L + request.path("model").asText().hashCode());
      ArrayNode vector = JSON.createArrayNode();
      for (int d = 0; d < DIMENSION; d++) {
        vector.add(random.nextGaussian());
      }
      data.addObject().put("object", "embedding").put("index", i).set("embedding", vector);
    }
    answer.put("model", request.path("model").asText());
    return JSON.writeValueAsString(answer);
  }

  private static void answer(HttpExchange exchange, int status, String json) throws IOException {
    TestExchanges.answerJson(exchange, status, json);
  }
}
