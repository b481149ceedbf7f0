package org.rollbackjobs.jobs.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.jobs.retrain.SecretSource;
import org.rollbackjobs.vector.embedding.Distance;
import org.rollbackjobs.vector.embedding.EmbeddingVersion;
import org.rollbackjobs.vector.embedding.Normalization;
import org.rollbackjobs.vector.embedding.OpenAiCompatibleEmbedder;
import org.rollbackjobs.vector.embedding.RemoteModel;
import org.rollbackjobs.vector.embedding.VersionCatalog;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/** The embedding versions available to the jobs, and the threads the in-process models run on. */
@Configuration(proxyBeanMethods = false)
public class VectorConfiguration {

  @Bean
  @Lazy
  VersionCatalog versionCatalog(VectorProperties properties, SecretSource secrets) {
    Map<String, RemoteModel> remote = new LinkedHashMap<>();
    properties.remoteModels().forEach((name, p) -> remote.put(name, remoteModel(name, p, secrets)));
    return new VersionCatalog(remote);
  }

  /** One thread per core: LangChain4j spreads each batch over it, one text per task. */
  @Bean(destroyMethod = "shutdownNow")
  @Lazy
  ExecutorService embeddingExecutor() {
    return Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), runnable -> {
      Thread thread = new Thread(runnable, "embed");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** A configured remote model; its API key is read through {@code secrets} (the environment) when it is called. */
  static RemoteModel remoteModel(String name, VectorProperties.RemoteModelProperties p, SecretSource secrets) {
    if (p.baseUrl() == null || p.model() == null || p.revision() == null || p.dimension() == null) {
      throw new BadInputException("remote model " + name + " needs base-url, model, revision and dimension"
          + " (rollback.vector.remote-models." + name + ".*)");
    }
    EmbeddingVersion version = new EmbeddingVersion(name,
        p.provider() == null ? EmbeddingVersion.PROVIDER_OPENAI : p.provider(), p.model(), null, p.revision(),
        p.dimension(), Normalization.parse(p.normalization() == null ? "l2" : p.normalization()),
        Distance.parse(p.distance() == null ? "cosine" : p.distance()));
    OpenAiCompatibleEmbedder.Settings settings = OpenAiCompatibleEmbedder.Settings.defaults(p.baseUrl())
        .withSettingsPrefix("rollback.vector.remote-models." + name);
    if (p.timeout() != null) {
      settings = settings.withRequestTimeout(p.timeout());
    }
    settings = settings.withRetries(p.maxRetries() == null ? settings.maxRetries() : p.maxRetries(),
        p.initialBackoff() == null ? settings.backoff() : p.initialBackoff(),
        p.maxBackoff() == null ? settings.maxBackoff() : p.maxBackoff());
    if (p.maxBatch() != null) {
      settings = settings.withMaxBatch(p.maxBatch());
    }
    try {
      settings.retries();
    } catch (IllegalArgumentException e) { // a zero timeout, a negative backoff: refused before anything runs
      throw new BadInputException(e.getMessage());
    }
    return new RemoteModel(version, settings, p.apiKeyEnv() == null ? "OPENAI_API_KEY" : p.apiKeyEnv(),
        variable -> secrets.get(variable).orElse(null));
  }
}
