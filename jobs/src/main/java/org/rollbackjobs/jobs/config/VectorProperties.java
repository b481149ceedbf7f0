package org.rollbackjobs.jobs.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code rollback.vector.*}: defaults of the {@code rebuild-index} job (each can be overridden on the command line)
 * and the remote embedding models available to it.
 *
 * @param coolDown how long a replaced build is kept for a switch-back (default 24h)
 * @param chunkSize documents per chunk of the load step: embedded together, copied with one binary COPY and
 *     committed with the reader's position (default 1000)
 * @param maintenanceWorkMem memory for building the ANN index (default 1GB)
 * @param parallelWorkers {@code max_parallel_maintenance_workers} for the build; negative: one per core beyond the
 *     first
 * @param lockTimeout how long the switch waits for readers' locks on the serving name (default 30s)
 * @param progressInterval how often the load reports progress on stderr (default 5s)
 * @param remoteModels OpenAI-compatible models by version name
 */
@ConfigurationProperties(prefix = "rollback.vector")
public record VectorProperties(
    Duration coolDown,
    Integer chunkSize,
    Double recallFloor,
    Integer recallSample,
    Integer recallK,
    String maintenanceWorkMem,
    Integer parallelWorkers,
    Integer hnswM,
    Integer hnswEfConstruction,
    Integer hnswEfSearch,
    Duration lockTimeout,
    Duration progressInterval,
    Map<String, RemoteModelProperties> remoteModels) {

  public VectorProperties {
    coolDown = coolDown == null ? Duration.ofHours(24) : coolDown;
    chunkSize = chunkSize == null ? 1000 : chunkSize;
    recallFloor = recallFloor == null ? 0.9 : recallFloor;
    recallSample = recallSample == null ? 50 : recallSample;
    recallK = recallK == null ? 10 : recallK;
    maintenanceWorkMem = maintenanceWorkMem == null ? "1GB" : maintenanceWorkMem;
    parallelWorkers = parallelWorkers == null || parallelWorkers < 0
        ? Math.max(0, Runtime.getRuntime().availableProcessors() - 1) : parallelWorkers;
    hnswM = hnswM == null ? 16 : hnswM;
    hnswEfConstruction = hnswEfConstruction == null ? 64 : hnswEfConstruction;
    hnswEfSearch = hnswEfSearch == null ? 40 : hnswEfSearch;
    lockTimeout = lockTimeout == null ? Duration.ofSeconds(30) : lockTimeout;
    progressInterval = progressInterval == null ? Duration.ofSeconds(5) : progressInterval;
    remoteModels = remoteModels == null ? Map.of() : Map.copyOf(remoteModels);
  }

  /**
   * A remote model: {@code rollback.vector.remote-models.NAME.*}. The key is read from the environment variable
   * named by {@code api-key-env}, never from configuration.
   */
  public record RemoteModelProperties(
      String provider,
      URI baseUrl,
      String model,
      String revision,
      Integer dimension,
      String normalization,
      String distance,
      String apiKeyEnv,
      Duration timeout,
      Integer maxRetries,
      Integer maxBatch) {}
}
