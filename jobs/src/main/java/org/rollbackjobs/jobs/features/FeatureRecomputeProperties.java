package org.rollbackjobs.jobs.features;

import java.nio.file.Path;
import java.time.Duration;
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
 */
@ConfigurationProperties(prefix = "rollback.features")
public record FeatureRecomputeProperties(int threads, DataSize aggregationMemory, Path workDir,
    Duration progressInterval, Path pipelines) {

  public FeatureRecomputeProperties {
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
