package org.rollbackjobs.vector.embedding;

import java.util.Objects;

/**
 * A remote model configured for this installation: its pinned version, where to call it, and the name of the
 * environment variable holding its API key (the key itself never appears in configuration or logs).
 */
public record RemoteModel(EmbeddingVersion version, OpenAiCompatibleEmbedder.Settings settings, String apiKeyEnv) {
  public RemoteModel {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(settings, "settings");
  }

  public Embedder embedder() {
    String key = apiKeyEnv == null || apiKeyEnv.isBlank() ? null : System.getenv(apiKeyEnv);
    return new OpenAiCompatibleEmbedder(version, settings, key);
  }
}
