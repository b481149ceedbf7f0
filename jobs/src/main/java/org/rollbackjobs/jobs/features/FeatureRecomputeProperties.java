package org.rollbackjobs.jobs.features;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * {@code rollback.features.*}: how the recompute-features job uses the machine.
 *
 * @param threads worker threads of the partitioned steps (0: one per core)
 * @param aggregationMemory heap for partial aggregates, shared by the workers; beyond it they spill to
 *     {@code workDir} (0: a quarter of the maximum heap)
 * @param workDir local folder for spill runs and attempt logs, one sub-folder per run (kept until the commit,
 *     so that a restart on this machine continues from the completed partitions)
 * @param progressInterval how often progress is printed on stderr
 * @param pipelines a folder of YAML pipeline definitions read by every run (besides the class path and --pipelines)
 * @param engine {@code embedded} (in the job's JVM, the default) or {@code spark} (on a Spark Connect server), for
 *     recomputes that do not choose ({@code --engine}, a system file's {@code engine:})
 * @param spark how the Spark engine reaches Spark
 */
@ConfigurationProperties(prefix = "rollback.features")
public record FeatureRecomputeProperties(int threads, DataSize aggregationMemory, Path workDir,
    Duration progressInterval, Path pipelines, String engine, Spark spark) {

  /**
   * {@code rollback.features.spark.*}.
   *
   * @param remote the Spark Connect endpoint, {@code sc://host:port}
   * @param catalog a catalog configured on the server that is the job's Iceberg catalog; unset: the job defines it
   *     in its session from {@code rollback.iceberg.catalog.*}
   * @param conf Spark settings passed to the session ({@code spark.sql.shuffle.partitions: "400"}, ...)
   */
  public record Spark(String remote, String catalog, Map<String, String> conf) {
    public Spark {
      conf = conf == null ? Map.of() : Map.copyOf(conf);
    }
  }

  public FeatureRecomputeProperties {
    engine = engine == null || engine.isBlank() ? RecomputeEngine.EMBEDDED.id() : engine.trim();
    spark = spark == null ? new Spark(null, null, Map.of()) : spark;
    threads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    aggregationMemory = aggregationMemory == null || aggregationMemory.toBytes() <= 0
        ? DataSize.ofBytes(Runtime.getRuntime().maxMemory() / 4) : aggregationMemory;
    workDir = workDir == null ? Path.of(System.getProperty("java.io.tmpdir"), "rollback-jobs", "recompute") : workDir;
    progressInterval = progressInterval == null || progressInterval.isZero() ? Duration.ofSeconds(5) : progressInterval;
  }

  public long memoryPerWorker() {
    return Math.max(64 * 1024, aggregationMemory.toBytes() / threads);
  }
}
