package org.rollbackjobs.iceberg.features.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.iceberg.features.aggregate.Aggregate;

/**
 * The reduce side of a per-key recompute, for one bucket of keys: merges the sorted runs of every map
 * partition, finishes each key's aggregates and writes the output rows (in key order) to data files.
 */
public final class ReduceTask {
  private ReduceTask() {}

  public record Result(long keys, List<String> dataFiles) {}

  /** @param runs the bucket's runs, ordered by map partition then spill (the merge order of equal keys) */
  public static Result run(FeaturePipeline pipeline, RecomputePlan plan, List<Path> runs, Path scratch,
      OutputFiles output, String filePrefix) {
    List<Aggregate<Object>> aggregates = MapTask.aggregatesOf(pipeline);
    int keyCount = pipeline.keyColumns().size();
    Object[] row = new Object[keyCount + aggregates.size()];
    try (FeatureWriter writer = output.writer(filePrefix)) {
      Files.createDirectories(scratch);
      new RunMerger(aggregates, keyCount, scratch).merge(runs, (key, states) -> {
        Object[] keys = Keys.values(key, keyCount);
        System.arraycopy(keys, 0, row, 0, keyCount);
        for (int i = 0; i < states.length; i++) {
          row[keyCount + i] = aggregates.get(i).result(states[i]);
        }
        writer.write(row);
      });
      long keys = writer.rows();
      return new Result(keys, writer.finish());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot merge the spill runs of " + plan.targetTable(), e);
    }
  }
}
