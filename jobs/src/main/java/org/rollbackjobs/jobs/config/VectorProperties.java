package org.rollbackjobs.jobs.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code rollback.vector.*}: defaults of the {@code rebuild-index} job (each can be overridden on the command line)
 * and the remote embedding models available to it.
 *
 * @param coolDown how long a replaced build is kept for a switch-back (default 24h)
 * @param chunkSize documents per chunk of the load step: embedded together, copied with one binary COPY and
 *     committed with the reader's position (default 1000)
 * @param maintenanceWorkMem memory for building the ANN index (default 1GB; units B, KB, MB, GB, TB as Spring reads
 *     them, 1024-based like PostgreSQL's)
 * @param parallelWorkers {@code max_parallel_maintenance_workers} for the build; negative (the default): one per
 *     core beyond the first
 * @param lockTimeout how long the switch waits for readers' locks on the serving name (default 30s)
 * @param progressInterval how often the load reports progress on stderr (default 5s)
 * @param remoteModels OpenAI-compatible models by version name
 */
@ConfigurationProperties(prefix = "rollback.vector")
public record VectorProperties(
    @DefaultValue("24h") Duration coolDown,
    @DefaultValue("1000") int chunkSize,
    @DefaultValue("0.9") double recallFloor,
    @DefaultValue("50") int recallSample,
    @DefaultValue("10") int recallK,
    @DefaultValue("1GB") DataSize maintenanceWorkMem,
    @DefaultValue("-1") int parallelWorkers,
    @DefaultValue("16") int hnswM,
    @DefaultValue("64") int hnswEfConstruction,
    @DefaultValue("40") int hnswEfSearch,
    @DefaultValue("30s") Duration lockTimeout,
    @DefaultValue("5s") Duration progressInterval,
    @DefaultValue Map<String, RemoteModelProperties> remoteModels) {

  public VectorProperties {
    parallelWorkers = parallelWorkers < 0 ? Math.max(0, Runtime.getRuntime().availableProcessors() - 1) : parallelWorkers;
    remoteModels = Map.copyOf(remoteModels);
  }

  /**
   * {@link #maintenanceWorkMem} as PostgreSQL's {@code maintenance_work_mem} setting: in the largest of GB, MB and
   * kB that holds it whole (PostgreSQL's own units: 1GB, 512MB, 65536kB).
   */
  public String maintenanceWorkMemSetting() {
    long bytes = maintenanceWorkMem.toBytes();
    if (bytes % DataSize.ofGigabytes(1).toBytes() == 0) {
      return maintenanceWorkMem.toGigabytes() + "GB";
    }
    if (bytes % DataSize.ofMegabytes(1).toBytes() == 0) {
      return maintenanceWorkMem.toMegabytes() + "MB";
    }
    return Math.max(1, maintenanceWorkMem.toKilobytes()) + "kB";
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
