package org.rollbackjobs.jobs.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.VersionName;
import org.rollbackjobs.vector.index.AnnMethod;
import org.rollbackjobs.vector.index.AnnSpec;
import org.rollbackjobs.vector.index.ProbeSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code rollback.vector.*}: defaults of the {@code rebuild-index} job (each can be overridden on the command line)
 * and the remote embedding models available to it.
 *
 * @param coolDown how long a replaced build is kept for a switch-back (default 24h)
 * @param chunkSize documents per chunk of the load step: embedded together, copied with one binary COPY and
 *     committed with the reader's position (default 1000)
 * @param maintenanceWorkMem memory for building the ANN index, as PostgreSQL's {@code maintenance_work_mem} takes it
 *     (default 1GB; units kB, MB, GB: PostgreSQL's own, which Spring's DataSize does not read)
 * @param parallelWorkers {@code max_parallel_maintenance_workers} for the build; negative (the default): one per
 *     core beyond the first
 * @param lockTimeout how long the switch waits for readers' locks on the serving name (default 30s)
 * @param progressInterval how often the load reports progress on stderr (default 5s)
 * @param remoteModels OpenAI-compatible models by version name (letters, digits, '_', '.', ':', '+', '-')
 * @param cache the embedding cache ({@code rollback.vector.cache.*})
 */
@ConfigurationProperties(prefix = "rollback.vector")
public record VectorProperties(
    @DefaultValue("24h") Duration coolDown,
    @DefaultValue("1000") int chunkSize,
    @DefaultValue("0.9") double recallFloor,
    @DefaultValue("50") int recallSample,
    @DefaultValue("10") int recallK,
    @DefaultValue("1GB") String maintenanceWorkMem,
    @DefaultValue("-1") int parallelWorkers,
    @DefaultValue("16") int hnswM,
    @DefaultValue("64") int hnswEfConstruction,
    @DefaultValue("40") int hnswEfSearch,
    @DefaultValue("30s") Duration lockTimeout,
    @DefaultValue("5s") Duration progressInterval,
    @DefaultValue Map<String, RemoteModelProperties> remoteModels,
    @DefaultValue Cache cache) {
  private static final Pattern POSTGRES_MEMORY = Pattern.compile("[1-9][0-9]{0,6}(kB|MB|GB)");


  public VectorProperties {
    maintenanceWorkMem = maintenanceWorkMem.trim();
    if (!POSTGRES_MEMORY.matcher(maintenanceWorkMem).matches()) {
      throw new IllegalArgumentException("rollback.vector.maintenance-work-mem '" + maintenanceWorkMem + "' is not a"
          + " PostgreSQL memory size; expected for example 1GB, 512MB or 65536kB (units kB, MB, GB)");
    }
    parallelWorkers = parallelWorkers < 0 ? Math.max(0, Runtime.getRuntime().availableProcessors() - 1) : parallelWorkers;
    remoteModels = Map.copyOf(remoteModels);
    for (String name : remoteModels.keySet()) { // a version name is recorded in rows and in build comments
      if (!VersionName.valid(name)) {
        throw new IllegalArgumentException("rollback.vector.remote-models: " + BadInputException.shown(name)
            + " is not a valid embedding version name (" + VersionName.RULE + ")");
      }
    }
  }

  /**
   * The embedding cache: vectors a rebuild takes instead of embedding the same text with the same version again.
   *
   * @param keep how long a cached vector that no live manifest and no kept build pins stays after its last use
   *     (default 30d)
   */
  public record Cache(@DefaultValue("30d") Duration keep) {}

  /** The ANN index a rebuild creates when nothing else is asked for: HNSW with these settings. */
  public AnnSpec defaultAnn() {
    return new AnnSpec(AnnMethod.HNSW, hnswM, hnswEfConstruction, 0, maintenanceWorkMem, parallelWorkers,
        hnswEfSearch, 0);
  }

  /** The recall probe of a rebuild's validation with these settings. */
  public ProbeSettings defaultProbe() {
    return new ProbeSettings(recallFloor, recallSample, recallK);
  }

  /** {@link #maintenanceWorkMem} as given to PostgreSQL's {@code maintenance_work_mem}. */
  public String maintenanceWorkMemSetting() {
    return maintenanceWorkMem;
  }

  /**
   * A remote model: {@code rollback.vector.remote-models.NAME.*}. The key is read from the environment variable
   * named by {@code api-key-env}, never from configuration. A request ends within (max-retries + 1) x (timeout +
   * max-backoff).
   *
   * @param timeout the deadline of one attempt: connecting, sending and receiving the whole answer (default 60s)
   * @param maxRetries retries after the first attempt (default 5)
   * @param initialBackoff wait before the first retry, doubled for each further one (default 500ms)
   * @param maxBackoff the longest wait between two attempts, and the longest {@code Retry-After} waited for (a
   *     longer one fails the request at once, saying so; default 30s)
   * @param maxBatch texts per request (default 256)
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
      Integer maxBatch,
      Duration initialBackoff,
      Duration maxBackoff) {}
}
