package org.rollbackjobs.vector.embedding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible {@code POST {base-url}/embeddings} endpoint (OpenAI, Azure OpenAI, vLLM, Ollama, LiteLLM,
 * text-embeddings-inference, ...). Requests carry at most {@code maxBatch} texts; 429 and 5xx answers and I/O
 * failures (including timeouts) are retried with exponential backoff and jitter (a {@code Retry-After} header
 * wins), anything else fails at once with the endpoint's own error message (the API key taken out of it). The API
 * key is passed in by the caller (read from the environment) and is never logged.
 */
public final class OpenAiCompatibleEmbedder implements Embedder {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiCompatibleEmbedder.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final EmbeddingVersion version;
  private final Settings settings;
  private final String apiKey;
  private final HttpClient http;
  private final RetryPolicy<JsonNode> retry;

  /**
   * @param baseUrl for example {@code https://api.openai.com/v1}; {@code /embeddings} is appended
   * @param requestTimeout per request; a timeout is retried like a 5xx
   * @param maxRetries retries after the first attempt
   * @param backoff first retry delay, doubled per retry up to {@code maxBackoff}
   * @param maxBatch texts per request
   */
  public record Settings(URI baseUrl, Duration connectTimeout, Duration requestTimeout, int maxRetries,
      Duration backoff, Duration maxBackoff, int maxBatch) {
    public Settings {
      Objects.requireNonNull(baseUrl, "baseUrl");
      if (maxBatch <= 0 || maxRetries < 0) {
        throw new IllegalArgumentException("maxBatch must be positive and maxRetries not negative");
      }
    }

    public static Settings defaults(URI baseUrl) {
      return new Settings(baseUrl, Duration.ofSeconds(10), Duration.ofSeconds(60), 5, Duration.ofMillis(500),
          Duration.ofSeconds(30), 256);
    }

    public Settings withRetries(int retries, Duration firstBackoff, Duration maximumBackoff) {
      return new Settings(baseUrl, connectTimeout, requestTimeout, retries, firstBackoff, maximumBackoff, maxBatch);
    }

    public Settings withRequestTimeout(Duration timeout) {
      return new Settings(baseUrl, connectTimeout, timeout, maxRetries, backoff, maxBackoff, maxBatch);
    }

    public Settings withMaxBatch(int batch) {
      return new Settings(baseUrl, connectTimeout, requestTimeout, maxRetries, backoff, maxBackoff, batch);
    }
  }

  public OpenAiCompatibleEmbedder(EmbeddingVersion version, Settings settings, String apiKey) {
    this.version = Objects.requireNonNull(version, "version");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.apiKey = apiKey;
    this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).build();
    this.retry = RetryPolicy.<JsonNode>builder()
        .handle(RetryableFailure.class, IOException.class)
        .withMaxRetries(settings.maxRetries())
        .withDelayFn(context -> delay(context.getAttemptCount(), context.getLastException()))
        .onRetry(event -> LOG.warn("embedding endpoint {}: attempt {} failed ({}), retrying", endpoint(),
            event.getAttemptCount(), String.valueOf(withoutKey(event.getLastException().getMessage()))))
        .build();
  }

  @Override
  public EmbeddingVersion version() {
    return version;
  }

  @Override
  public List<float[]> embed(List<String> texts) {
    List<float[]> vectors = new ArrayList<>(texts.size());
    for (int from = 0; from < texts.size(); from += settings.maxBatch()) {
      List<String> batch = texts.subList(from, Math.min(texts.size(), from + settings.maxBatch()));
      vectors.addAll(embedBatch(batch));
    }
    return vectors;
  }

  private List<float[]> embedBatch(List<String> texts) {
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i) == null || texts.get(i).isBlank()) {
        throw new EmptyTextException(i);
      }
    }
    byte[] body = requestBody(texts);
    JsonNode response;
    try {
      response = Failsafe.with(retry).get(() -> post(body));
    } catch (FailsafeException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new EmbeddingEndpointException("embedding endpoint " + endpoint() + " failed after "
          + (settings.maxRetries() + 1) + " attempts for model " + version.model() + ": "
          + withoutKey(cause.getMessage()), cause);
    } catch (RetryableFailure e) {
      throw new EmbeddingEndpointException("embedding endpoint " + endpoint() + " failed after "
          + (settings.maxRetries() + 1) + " attempts for model " + version.model() + ": " + e.getMessage(), e);
    }
    return vectors(response, texts.size());
  }

  private byte[] requestBody(List<String> texts) {
    ObjectNode request = JSON.createObjectNode();
    request.put("model", version.model());
    ArrayNode input = request.putArray("input");
    texts.forEach(input::add);
    request.put("encoding_format", "float");
    try {
      return JSON.writeValueAsBytes(request);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode post(byte[] body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint())
        .timeout(settings.requestTimeout())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (apiKey != null && !apiKey.isEmpty()) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    int status = response.statusCode();
    if (status == 200) {
      return JSON.readTree(response.body());
    }
    String message = "HTTP " + status + errorMessage(withoutKey(response.body()));
    if (status == 429 || status >= 500) {
      throw new RetryableFailure(message, retryAfter(response));
    }
    throw new EmbeddingEndpointException("embedding endpoint " + endpoint() + " refused the request for model "
        + version.model() + " (not retried): " + message, null);
  }

  /**
   * The text with the API key (and the Authorization header made of it) replaced by {@code ***}: an endpoint or a
   * proxy may repeat the request in its error answer.
   */
  private String withoutKey(String text) {
    if (text == null || apiKey == null || apiKey.isEmpty()) {
      return text;
    }
    return text.replace("Bearer " + apiKey, "Bearer ***").replace(apiKey, "***");
  }

  private List<float[]> vectors(JsonNode response, int expected) {
    JsonNode data = response.get("data");
    if (data == null || !data.isArray() || data.size() != expected) {
      throw new EmbeddingEndpointException("embedding endpoint " + endpoint() + " answered "
          + (data == null ? "without a 'data' array" : data.size() + " embeddings") + " for " + expected + " texts", null);
    }
    float[][] byIndex = new float[expected][];
    for (int i = 0; i < data.size(); i++) {
      JsonNode item = data.get(i);
      int index = item.has("index") ? item.get("index").asInt() : i;
      JsonNode values = item.get("embedding");
      if (index < 0 || index >= expected || byIndex[index] != null || values == null || !values.isArray()) {
        throw new EmbeddingEndpointException("embedding endpoint " + endpoint() + " answered a malformed item " + i, null);
      }
      if (values.size() != version.dimension()) {
        throw new EmbeddingEndpointException("embedding endpoint " + endpoint() + " returned " + values.size()
            + " dimensions for model " + version.model() + "; version " + version.name() + " pins "
            + version.dimension(), null);
      }
      float[] vector = new float[values.size()];
      for (int d = 0; d < vector.length; d++) {
        vector[d] = (float) values.get(d).asDouble();
      }
      byIndex[index] = version.normalization().apply(vector);
    }
    return List.of(byIndex);
  }

  private URI endpoint() {
    String base = settings.baseUrl().toString();
    return URI.create(base.endsWith("/") ? base + "embeddings" : base + "/embeddings");
  }

  private Duration delay(int attempts, Throwable last) {
    if (last instanceof RetryableFailure failure && failure.retryAfter != null) {
      return min(failure.retryAfter, settings.maxBackoff());
    }
    long base = settings.backoff().toMillis() << Math.min(20, Math.max(0, attempts - 1));
    long capped = Math.min(base, settings.maxBackoff().toMillis());
    long jitter = capped <= 1 ? 0 : ThreadLocalRandom.current().nextLong(capped / 4 + 1);
    return Duration.ofMillis(capped - capped / 8 + jitter);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration retryAfter(HttpResponse<?> response) {
    Optional<String> header = response.headers().firstValue("Retry-After");
    try {
      return header.map(h -> Duration.ofSeconds(Long.parseLong(h.trim()))).orElse(null);
    } catch (NumberFormatException e) {
      return null; // an HTTP date: the backoff applies
    }
  }

  /** The endpoint's own error message (OpenAI style {"error":{"message":...}}), shortened. */
  private static String errorMessage(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    try {
      JsonNode error = JSON.readTree(body).path("error");
      String message = error.isTextual() ? error.asText() : error.path("message").asText("");
      if (!message.isEmpty()) {
        return ": " + message;
      }
    } catch (IOException notJson) {
      // fall through to the raw body
    }
    String raw = body.strip();
    return ": " + (raw.length() > 300 ? raw.substring(0, 300) + "..." : raw);
  }

  /** 429, 5xx: worth another attempt. */
  static final class RetryableFailure extends RuntimeException {
    final Duration retryAfter;

    RetryableFailure(String message, Duration retryAfter) {
      super(message);
      this.retryAfter = retryAfter;
    }
  }
}
