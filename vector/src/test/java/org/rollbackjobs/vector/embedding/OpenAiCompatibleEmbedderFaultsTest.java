package org.rollbackjobs.vector.embedding;

import java.net.URI;
import java.util.List;
import org.rollbackjobs.vector.http.EndpointFaultMatrix;
import org.rollbackjobs.vector.http.ScriptedHttpServer.Received;

/** The OpenAI-compatible embedder when its endpoint misbehaves ({@link EndpointFaultMatrix}). */
class OpenAiCompatibleEmbedderFaultsTest extends EndpointFaultMatrix {
  private static final EmbeddingVersion VERSION = new EmbeddingVersion("remote-small", "openai-compatible",
      "text-embedding-test", null, "2024-05", 3, Normalization.L2, Distance.COSINE);

  @Override
  protected String successBody(Received request) {
    return "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[1,2,2]}]}";
  }

  @Override
  protected Result callOnce() {
    OpenAiCompatibleEmbedder.Settings settings = OpenAiCompatibleEmbedder.Settings
        .defaults(URI.create(server.url("/v1")))
        .withRetries(MAX_ATTEMPTS - 1, INITIAL_BACKOFF, MAX_BACKOFF)
        .withRequestTimeout(TIMEOUT);
    try {
      new OpenAiCompatibleEmbedder(VERSION, settings, "sk-test-key").embed(List.of("a text"));
      return Result.success();
    } catch (EmbeddingEndpointException e) {
      return Result.failure(e.getMessage());
    }
  }

  @Override
  protected String endpointShown() {
    return "embedding endpoint " + server.url("/v1/embeddings");
  }
}
