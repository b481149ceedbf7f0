package org.rollbackjobs.jobs.manifest;

import java.util.List;
import java.util.Optional;

/**
 * The pinned version of every component of a system at one moment. Serialised as JSON (kebab-case keys) into
 * the manifest's row; never changed once stored.
 */
public record ManifestContent(List<DatasetPin> datasets, List<FeaturePin> features, List<IndexPin> indexes,
    List<ModelPin> models, List<TagPin> tags) {

  public ManifestContent {
    datasets = List.copyOf(datasets);
    features = List.copyOf(features);
    indexes = List.copyOf(indexes);
    models = List.copyOf(models);
    tags = List.copyOf(tags);
  }

  /** A dataset at its pinned snapshot. */
  public record DatasetPin(String table, long snapshotId) {}

  /**
   * A feature table: computed from {@code source} at {@code sourceSnapshotId} by the pipeline version (and
   * definition hash); {@code targetSnapshotId} is the feature table's snapshot at capture.
   */
  public record FeaturePin(String name, String target, Long targetSnapshotId, String source, long sourceSnapshotId,
      String pipeline, String pipelineVersion, String pipelineHash) {}

  /**
   * A vector index: the serving name, the build serving it at capture, the pinned embedding version and the
   * source snapshot its documents come from.
   */
  public record IndexPin(String name, String servingName, Long buildId, String buildTable, String embeddingVersion,
      String source, long sourceSnapshotId, Integer dimension, Long rows) {}

  /** A model: its declared version and the pinned snapshots of the tables it trains on. */
  public record ModelPin(String name, String version, List<TablePin> trainsOn) {}

  /** One table at one snapshot ({@code kind}: dataset or feature). */
  public record TablePin(String table, long snapshotId, String kind) {}

  /** An Iceberg tag created for the manifest, so that snapshot expiry keeps the pinned snapshot. */
  public record TagPin(String table, long snapshotId, String tag) {}

  public Optional<DatasetPin> dataset(String table) {
    return datasets.stream().filter(d -> d.table().equals(table)).findFirst();
  }

  public Optional<FeaturePin> feature(String name) {
    return features.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  public Optional<IndexPin> index(String name) {
    return indexes.stream().filter(i -> i.name().equals(name)).findFirst();
  }

  public Optional<ModelPin> model(String name) {
    return models.stream().filter(m -> m.name().equals(name)).findFirst();
  }
}
