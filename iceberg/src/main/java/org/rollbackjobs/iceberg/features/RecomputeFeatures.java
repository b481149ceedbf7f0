package org.rollbackjobs.iceberg.features;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.features.engine.FeatureCommit;
import org.rollbackjobs.iceberg.features.engine.MapTask;
import org.rollbackjobs.iceberg.features.engine.OutputFiles;
import org.rollbackjobs.iceberg.features.engine.ReduceTask;
import org.rollbackjobs.iceberg.features.engine.SourceSplits;

/**
 * A pending recompute of one feature table from a pinned source snapshot with a pinned pipeline version, in
 * the style of Iceberg's pending updates: configure, {@link #plan()} (validates, changes nothing), then
 * {@link #commit()}, which runs the map and reduce tasks on a thread pool in this process and makes the one
 * commit. (The {@code recompute-features} job runs the same tasks as a restartable Spring Batch job.)
 *
 * <pre>
 * RecomputeResult result = RecomputeFeatures.of(catalog)
 *     .pipeline(catalogOfPipelines.get("customer_txn_features", "1"))
 *     .source("shop.transactions").sourceSnapshot(42L)
 *     .target("features.customer_txn")
 *     .set(FeatureLineage.REASON, "bad upstream load")
 *     .commit();
 * </pre>
 */
public final class RecomputeFeatures {
  private final Catalog catalog;
  private final Map<String, String> summary = new LinkedHashMap<>();
  private FeaturePipeline pipeline;
  private String source;
  private Long sourceSnapshotId;
  private String target;
  private String targetBranch;
  private String runId = UUID.randomUUID().toString();
  private int threads = Runtime.getRuntime().availableProcessors();
  private long memoryPerWorker = defaultMemoryPerWorker(threads);
  private Path workDirectory;
  private ProgressListener progress = ProgressListener.NONE;
  private RecomputePlan plan;

  private RecomputeFeatures(Catalog catalog) {
    this.catalog = catalog;
  }

  public static RecomputeFeatures of(Catalog catalog) {
    return new RecomputeFeatures(Objects.requireNonNull(catalog, "catalog"));
  }

  /** A quarter of the heap for partial aggregates, shared by the workers. */
  public static long defaultMemoryPerWorker(int threads) {
    return Math.max(1L << 20, Runtime.getRuntime().maxMemory() / 4 / Math.max(1, threads));
  }

  public RecomputeFeatures pipeline(FeaturePipeline featurePipeline) {
    this.pipeline = Objects.requireNonNull(featurePipeline, "pipeline");
    this.plan = null;
    return this;
  }

  public RecomputeFeatures source(String table) {
    this.source = table;
    this.plan = null;
    return this;
  }

  /** The source snapshot to compute from; the source's current snapshot when not given. */
  public RecomputeFeatures sourceSnapshot(Long snapshotId) {
    this.sourceSnapshotId = snapshotId;
    this.plan = null;
    return this;
  }

  public RecomputeFeatures target(String table) {
    this.target = table;
    this.plan = null;
    return this;
  }

  /**
   * Commits to this branch of the feature table instead of main, as Iceberg's {@code SnapshotUpdate.toBranch}.
   * The table and the branch must exist. The table's schema is not changed (it belongs to the table, not to a
   * branch): the pipeline's columns must be columns of the table, of the same types; others stay, null on the branch.
   */
  public RecomputeFeatures toBranch(String branch) {
    this.targetBranch = org.rollbackjobs.iceberg.snapshot.Refs.isMain(branch) ? null : branch;
    this.plan = null;
    return this;
  }

  public RecomputeFeatures threads(int count) {
    this.threads = Math.max(1, count);
    this.plan = null;
    return this;
  }

  /** Bytes of partial aggregates a map worker keeps in memory before spilling them to disk. */
  public RecomputeFeatures memoryPerWorker(long bytes) {
    this.memoryPerWorker = bytes;
    return this;
  }

  /** Where spill runs go (a temporary folder by default); deleted afterwards. */
  public RecomputeFeatures workDirectory(Path directory) {
    this.workDirectory = directory;
    return this;
  }

  public RecomputeFeatures runId(String id) {
    this.runId = Objects.requireNonNull(id, "runId");
    this.plan = null;
    return this;
  }

  public RecomputeFeatures progress(ProgressListener listener) {
    this.progress = Objects.requireNonNull(listener, "progress");
    return this;
  }

  /** Records a property in the commit's snapshot summary (lineage: reason, actor, manifest id, ...). */
  public RecomputeFeatures set(String key, String value) {
    if (value != null) {
      summary.put(key, value);
    }
    return this;
  }

  /** Validates and plans; changes nothing. The plan is kept for {@link #commit()}. */
  public RecomputePlan plan() {
    if (plan == null) {
      Objects.requireNonNull(pipeline, "pipeline");
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(target, "target");
      plan = RecomputePlanner.plan(catalog, pipeline, source, sourceSnapshotId, target, targetBranch, runId, threads);
    }
    return plan;
  }

  /** Plans (if not done yet), computes and commits; does nothing when the feature table is already up to date. */
  public RecomputeResult commit() {
    long started = System.nanoTime();
    RecomputePlan p = plan();
    if (p.upToDate()) {
      return new RecomputeResult(p, p.targetCurrentSnapshotId(), false, 0, 0, 0, 0,
          Duration.ofNanos(System.nanoTime() - started));
    }
    Table sourceTable = CatalogLoader.loadTable(catalog, p.sourceTable());
    OutputFiles output = OutputFiles.of(p, sourceTable.io(), path -> {});
    Path work = null;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      work = workDirectory != null ? Files.createDirectories(workDirectory.resolve(p.runId()))
          : Files.createTempDirectory("recompute-" + p.runId());
      List<FileScanTask> splits = SourceSplits.plan(sourceTable, p.sourceSnapshotId(), p.projection(), p.splitSize());
      List<Future<MapTask.Result>> maps = new ArrayList<>();
      for (int i = 0; i < p.partitions(); i++) {
        int index = i;
        Path runs = work.resolve(String.format("map-%05d", index));
        maps.add(pool.submit(() -> MapTask.run(sourceTable, pipeline, p, SourceSplits.partition(splits, index, p.partitions()),
            runs, memoryPerWorker, output, String.format("%s-m%05d", p.runId(), index), progress)));
      }
      List<MapTask.Result> mapped = new ArrayList<>();
      for (Future<MapTask.Result> map : maps) {
        mapped.add(map.get());
      }
      List<String> files = new ArrayList<>();
      long rowsRead = mapped.stream().mapToLong(MapTask.Result::rowsRead).sum();
      int spills = mapped.stream().mapToInt(MapTask.Result::spills).sum();
      if (p.keyed()) {
        List<Future<ReduceTask.Result>> reduces = new ArrayList<>();
        for (int b = 0; b < p.buckets(); b++) {
          List<Path> runs = new ArrayList<>();
          for (MapTask.Result m : mapped) {
            runs.addAll(MapTask.runsOf(Path.of(m.runDirectory()), m.spills(), b));
          }
          Path scratch = work.resolve(String.format("reduce-%05d", b));
          String prefix = String.format("%s-r%05d", p.runId(), b);
          reduces.add(pool.submit(() -> ReduceTask.run(pipeline, p, runs, scratch, output, prefix)));
        }
        for (Future<ReduceTask.Result> reduce : reduces) {
          files.addAll(reduce.get().dataFiles());
        }
      } else {
        mapped.forEach(m -> files.addAll(m.dataFiles()));
      }
      FeatureCommit.Outcome outcome = FeatureCommit.commit(catalog, sourceTable.io(), p, files, summary);
      return new RecomputeResult(p, outcome.snapshotId(), true, rowsRead, outcome.rows(), outcome.dataFiles(),
          spills, Duration.ofNanos(System.nanoTime() - started));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException("recompute of " + p.targetTable() + " failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("recompute of " + p.targetTable() + " was interrupted", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      shutdown(pool);
      if (work != null) {
        deleteRecursively(work);
      }
    }
  }

  /** Stops the workers and waits for them, so that none still writes into the folder about to be deleted. */
  private static void shutdown(ExecutorService pool) {
    pool.shutdownNow();
    try {
      pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void deleteRecursively(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + directory, e);
    }
  }
}
