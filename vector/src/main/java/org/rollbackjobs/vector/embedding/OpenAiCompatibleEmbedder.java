package org.rollbackjobs.vector.embedding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.rollbackjobs.vector.http.BoundedHttp;
import org.rollbackjobs.vector.http.BoundedHttp.Outcome;
import org.rollbackjobs.vector.http.Exchange;
import org.rollbackjobs.vector.http.RetrySettings;

/**
 * An OpenAI-compatible {@code POST {base-url}/embeddings} endpoint (OpenAI, Azure OpenAI, vLLM, Ollama, LiteLLM,
 * text-embeddings-inference, ...). Requests carry at most {@code maxBatch} texts. Each attempt must be answered
 * completely (headers and body) within the request timeout; 429 and 5xx answers and I/O failures (the timeout
 * included) are retried with exponential backoff, after the {@code Retry-After} the endpoint asks for when it is not
 * longer than the maximum backoff ({@link BoundedHttp}); anything else fails at once with the endpoint's own error
 * message (the API key taken out of it). The API key is passed in by the caller (read from the environment) and is
 * never logged.
 */
public final class OpenAiCompatibleEmbedder implements Embedder {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final EmbeddingVersion version;
  private final Settings settings;
  private final String apiKey;
  private final BoundedHttp http;

  /**
   * @param baseUrl for example {@code https://api.openai.com/v1}; {@code /embeddings} is appended
   * @param requestTimeout the deadline of one attempt, the whole answer included; a timeout is retried like a 5xx
   * @param maxRetries retries after the first attempt
   * @param backoff first retry delay, doubled per retry up to {@code maxBackoff}
   * @param maxBackoff the longest wait between two attempts, and the longest {@code Retry-After} waited for
   * @param maxBatch texts per request
   * @param settingsPrefix where these settings come from, named in messages
   *     ({@code rollback.vector.remote-models.NAME}); empty when they have no names
   */
  public record Settings(URI baseUrl, Duration connectTimeout, Duration requestTimeout, int maxRetries,
      Duration backoff, Duration maxBackoff, int maxBatch, String settingsPrefix) {
    public Settings {
      Objects.requireNonNull(baseUrl, "baseUrl");
      if (maxBatch <= 0 || maxRetries < 0) {
        throw new IllegalArgumentException("maxBatch must be positive and maxRetries not negative");
      }
      settingsPrefix = settingsPrefix == null ? "" : settingsPrefix;
    }

    public static Settings defaults(URI baseUrl) {
      return new Settings(baseUrl, Duration.ofSeconds(10), Duration.ofSeconds(60), 5, Duration.ofMillis(500),
          Duration.ofSeconds(30), 256, "");
    }

    public Settings withRetries(int retries, Duration firstBackoff, Duration maximumBackoff) {
      return new Settings(baseUrl, connectTimeout, requestTimeout, retries, firstBackoff, maximumBackoff, maxBatch,
          settingsPrefix);
    }

    public Settings withRequestTimeout(Duration timeout) {
      return new Settings(baseUrl, connectTimeout, timeout, maxRetries, backoff, maxBackoff, maxBatch,
          settingsPrefix);
    }

    public Settings withMaxBatch(int batch) {
      return new Settings(baseUrl, connectTimeout, requestTimeout, maxRetries, backoff, maxBackoff, batch,
          settingsPrefix);
    }

    public Settings withSettingsPrefix(String prefix) {
      return new Settings(baseUrl, connectTimeout, requestTimeout, maxRetries, backoff, maxBackoff, maxBatch, prefix);
    }

    /** The retries as {@link BoundedHttp} takes them. */
    public RetrySettings retries() {
      return new RetrySettings(settingsPrefix, maxRetries + 1, requestTimeout, backoff, maxBackoff);
    }
  }

  public OpenAiCompatibleEmbedder(EmbeddingVersion version, Settings settings, String apiKey) {
    this.version = Objects.requireNonNull(version, "version");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.apiKey = apiKey;
    this.http = new BoundedHttp(HttpClient.newBuilder().connectTimeout(settings.connectTimeout()).build(),
        settings.retries());
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
    Outcome outcome = http.call("embedding endpoint " + shownEndpoint(), request(requestBody(texts)));
    Exchange last = outcome.last();
    if (last.answered() && last.status() == 200) {
      try {
        return vectors(JSON.readTree(last.body()), texts.size());
      } catch (IOException e) {
        throw new EmbeddingEndpointException("embedding endpoint " + shownEndpoint() + " answered 200 with a body that"
            + " is not JSON for model " + version.model() + errorMessage(withoutKey(last.body())), null);
      }
    }
    String error = last.answered() ? "HTTP " + last.status() + errorMessage(withoutKey(last.body()))
        : withoutKey(last.summary());
    if (outcome.gaveUp() == null) {
      throw new EmbeddingEndpointException("embedding endpoint " + shownEndpoint() + " refused the request for model "
          + version.model() + " (not retried): " + error, null);
    }
    throw new EmbeddingEndpointException("embedding endpoint " + shownEndpoint() + " failed " + outcome.gaveUp()
        + " for model " + version.model() + ": " + error, last.failure());
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

  private HttpRequest request(byte[] body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (apiKey != null && !apiKey.isEmpty()) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    return request.build();
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
      throw new EmbeddingEndpointException("embedding endpoint " + shownEndpoint() + " answered "
          + (data == null ? "without a 'data' array" : data.size() + " embeddings") + " for " + expected + " texts", null);
    }
    float[][] byIndex = new float[expected][];
    for (int i = 0; i < data.size(); i++) {
      JsonNode item = data.get(i);
      int index = item.has("index") ? item.get("index").asInt() : i;
      JsonNode values = item.get("embedding");
      if (index < 0 || index >= expected || byIndex[index] != null || values == null || !values.isArray()) {
        throw new EmbeddingEndpointException("embedding endpoint " + shownEndpoint() + " answered a malformed item " + i, null);
      }
      if (values.size() != version.dimension()) {
        throw new EmbeddingEndpointException("embedding endpoint " + shownEndpoint() + " returned " + values.size()
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

  /** The endpoint as messages and logs show it: without user info or query, where credentials may be. */
  private String shownEndpoint() {
    return BoundedHttp.withoutCredentials(endpoint());
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
}
