package org.rollbackjobs.vector.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible embedder against a real HTTP server on 127.0.0.1 that the test scripts. */
class OpenAiCompatibleEmbedderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final EmbeddingVersion VERSION = new EmbeddingVersion("remote-small", "openai-compatible",
      "text-embedding-test", null, "2024-05", 3, Normalization.L2, Distance.COSINE);

  /** What the server saw. */
  record Seen(String method, String path, String authorization, String contentType, JsonNode body) {}

  /** What the server answers to the n-th request. */
  interface Script {
    void answer(int n, JsonNode body, HttpExchange exchange) throws IOException;
  }

  private HttpServer server;
  private java.util.concurrent.ExecutorService pool;
  private final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger requests = new AtomicInteger();
  private volatile Script script;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
      seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
          exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestHeaders().getFirst("Content-Type"),
          body));
      try {
        script.answer(requests.getAndIncrement(), body, exchange);
      } finally {
        exchange.close();
      }
    });
    pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    server.setExecutor(pool); // a slow answer must not block the retry
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    pool.shutdownNow();
  }

  private URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
  }

  private OpenAiCompatibleEmbedder embedder(int maxBatch) {
    OpenAiCompatibleEmbedder.Settings settings = OpenAiCompatibleEmbedder.Settings.defaults(baseUrl())
        .withRetries(3, Duration.ofMillis(10), Duration.ofMillis(50))
        .withRequestTimeout(Duration.ofSeconds(2)) // the whole first exchange of a cold JVM included
        .withMaxBatch(maxBatch);
    return new OpenAiCompatibleEmbedder(VERSION, settings, "sk-test-key");
  }

  /** An OpenAI-style answer: item i is [i+1, 2, 2] (not unit length), listed in reverse order. */
  private static void embeddings(HttpExchange exchange, JsonNode request) throws IOException {
    ObjectNode response = JSON.createObjectNode();
    response.put("object", "list");
    ArrayNode data = response.putArray("data");
    int n = request.get("input").size();
    for (int i = n - 1; i >= 0; i--) {
      ObjectNode item = data.addObject();
      item.put("object", "embedding");
      item.put("index", i);
      item.putArray("embedding").add(i + 1).add(2).add(2);
    }
    response.put("model", request.get("model").asText());
    send(exchange, 200, JSON.writeValueAsString(response), null);
  }

  private static void send(HttpExchange exchange, int status, String body, String retryAfter) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    if (retryAfter != null) {
      exchange.getResponseHeaders().add("Retry-After", retryAfter);
    }
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Test
  void sendsExactlyTheOpenAiRequestAndMapsAnswersByIndex() {
    script = (n, body, exchange) -> embeddings(exchange, body);

    List<float[]> vectors = embedder(10).embed(List.of("first text", "second text"));

    assertThat(seen).hasSize(1);
    Seen request = seen.get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/v1/embeddings");
    assertThat(request.authorization()).isEqualTo("Bearer sk-test-key");
    assertThat(request.contentType()).isEqualTo("application/json");
    assertThat(request.body().toString())
        .isEqualTo("{\"model\":\"text-embedding-test\",\"input\":[\"first text\",\"second text\"],"
            + "\"encoding_format\":\"float\"}");
    // item 0 is [1,2,2] (norm 3), item 1 is [2,2,2] (norm sqrt 12), normalised as the version pins
    assertThat(vectors.get(0)).containsExactly(1 / 3f, 2 / 3f, 2 / 3f);
    float s = (float) (2 / Math.sqrt(12));
    assertThat(vectors.get(1)).containsExactly(s, s, s);
  }

  @Test
  void splitsLargeBatchesIntoRequestsOfAtMostMaxBatchTexts() {
    script = (n, body, exchange) -> embeddings(exchange, body);

    List<float[]> vectors = embedder(2).embed(List.of("a", "b", "c", "d", "e"));

    assertThat(vectors).hasSize(5);
    assertThat(seen).extracting(r -> r.body().get("input").size()).containsExactly(2, 2, 1);
    assertThat(seen.get(2).body().get("input").get(0).asText()).isEqualTo("e");
  }

  @Test
  void retriesRateLimitsAndServerErrorsWithBackoffThenSucceeds() {
    script = (n, body, exchange) -> {
      switch (n) {
        case 0 -> send(exchange, 429, "{\"error\":{\"message\":\"Rate limit reached\"}}", "0");
        case 1 -> send(exchange, 503, "upstream overloaded", null);
        default -> embeddings(exchange, body);
      }
    };

    List<float[]> vectors = embedder(10).embed(List.of("retry me"));

    assertThat(vectors).hasSize(1);
    assertThat(seen).hasSize(3);
    // every attempt sends the same request
    assertThat(seen).extracting(r -> r.body().toString()).containsOnly(seen.get(0).body().toString());
  }

  @Test
  void aBadRequestFailsAtOnceWithTheEndpointsMessage() {
    script = (n, body, exchange) ->
        send(exchange, 400, "{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens\"}}", null);

    assertThatThrownBy(() -> embedder(10).embed(List.of("too long")))
        .isInstanceOf(EmbeddingEndpointException.class)
        .hasMessageContaining("HTTP 400")
        .hasMessageContaining("maximum context length is 8192 tokens")
        .hasMessageContaining("not retried")
        .hasMessageContaining("text-embedding-test");
    assertThat(seen).hasSize(1);
  }

  @Test
  void anAnswerThatRepeatsTheKeyIsShownWithoutIt() {
    script = (n, body, exchange) -> send(exchange, n == 0 ? 500 : 401, "{\"error\":{\"message\":\"Incorrect API key"
        + " provided: " + exchange.getRequestHeaders().getFirst("Authorization") + " (sk-test-key)\"}}", null);

    assertThatThrownBy(() -> embedder(10).embed(List.of("x")))
        .isInstanceOf(EmbeddingEndpointException.class)
        .hasMessageContaining("HTTP 401: Incorrect API key provided: Bearer *** (***)")
        .hasMessageNotContaining("sk-test-key");
  }

  @Test
  void aTimeoutIsRetriedLikeAServerError() {
    // the first answer is held until the client has given up on it and retried (its 2 s timeout passed)
    CountDownLatch retried = new CountDownLatch(1);
    script = (n, body, exchange) -> {
      if (n == 0) {
        try {
          retried.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return;
      }
      retried.countDown();
      embeddings(exchange, body);
    };

    assertThat(embedder(10).embed(List.of("slow"))).hasSize(1);
    assertThat(requests.get()).isEqualTo(2);
  }

  @Test
  void anAnswerOfTheWrongDimensionIsRefused() {
    script = (n, body, exchange) -> send(exchange, 200,
        "{\"data\":[{\"index\":0,\"embedding\":[0.1,0.2,0.3,0.4]}]}", null);

    assertThatThrownBy(() -> embedder(10).embed(List.of("x")))
        .isInstanceOf(EmbeddingEndpointException.class)
        .hasMessageContaining("returned 4 dimensions")
        .hasMessageContaining("pins 3");
  }
}
