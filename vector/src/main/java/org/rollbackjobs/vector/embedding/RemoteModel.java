package org.rollbackjobs.vector.embedding;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A remote model configured for this installation: its pinned version, where to call it, and the name of the
 * environment variable holding its API key (the key itself never appears in configuration or logs).
 *
 * @param environment reads a variable (null when not set): the process environment, or the application's own source
 *     of secrets
 */
public record RemoteModel(EmbeddingVersion version, OpenAiCompatibleEmbedder.Settings settings, String apiKeyEnv,
    UnaryOperator<String> environment) {
  public RemoteModel {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(environment, "environment");
  }

  /** The key read from the process environment. */
  public RemoteModel(EmbeddingVersion version, OpenAiCompatibleEmbedder.Settings settings, String apiKeyEnv) {
    this(version, settings, apiKeyEnv, System::getenv);
  }

  public Embedder embedder() {
    String key = apiKeyEnv == null || apiKeyEnv.isBlank() ? null : environment.apply(apiKeyEnv);
    return new OpenAiCompatibleEmbedder(version, settings, key);
  }
}
