package org.rollbackjobs.jobs.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Optional;

/**
 * The pinned version of every component of a system at one moment. Serialised as JSON (kebab-case keys) into
 * the manifest's row; never changed once stored. Fields added later are optional and left out of the JSON when
 * absent, so that the stored bytes of manifests without them stay as they were ({@code StoredJsonTest}).
 *
 * @param prompts the prompts' registry aliases (added with prompts; empty and not stored when there are none)
 */
public record ManifestContent(List<DatasetPin> datasets, List<FeaturePin> features, List<IndexPin> indexes,
    List<ModelPin> models, List<TagPin> tags, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<PromptPin> prompts) {

  public ManifestContent {
    datasets = List.copyOf(datasets);
    features = List.copyOf(features);
    indexes = List.copyOf(indexes);
    models = List.copyOf(models);
    tags = List.copyOf(tags);
    prompts = prompts == null ? List.of() : List.copyOf(prompts);
  }

  /** A manifest of a system without prompts. */
  public ManifestContent(List<DatasetPin> datasets, List<FeaturePin> features, List<IndexPin> indexes,
      List<ModelPin> models, List<TagPin> tags) {
    this(datasets, features, indexes, models, tags, List.of());
  }

  /** The same pins with other tags. */
  public ManifestContent withTags(List<TagPin> newTags) {
    return new ManifestContent(datasets, features, indexes, models, newTags, prompts);
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

  /**
   * A model: its declared version and the pinned snapshots of the tables it trains on; for a model served through
   * a registry alias, the version the alias pointed at (null otherwise, and not stored).
   */
  public record ModelPin(String name, String version, List<TablePin> trainsOn,
      @JsonInclude(JsonInclude.Include.NON_NULL) AliasPin registry) {

    public ModelPin(String name, String version, List<TablePin> trainsOn) {
      this(name, version, trainsOn, null);
    }
  }

  /** A prompt template of the system: the version its registry alias pointed at. */
  public record PromptPin(String name, AliasPin registry) {}

  /**
   * A registry alias and the version it pointed at.
   *
   * @param registry the kind of registry ({@code mlflow})
   * @param url the registry's URL at capture (for the record; the system file says where to reach it now)
   * @param name the registered model's (or prompt's) name in the registry
   * @param alias the alias
   * @param version the version the alias pointed at
   */
  public record AliasPin(String registry, String url, String name, String alias, String version) {
    public static final String MLFLOW = "mlflow";
  }

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

  public Optional<PromptPin> prompt(String name) {
    return prompts.stream().filter(p -> p.name().equals(name)).findFirst();
  }
}
