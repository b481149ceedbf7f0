package org.rollbackjobs.jobs.system;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.rollbackjobs.iceberg.BadInputException;

/**
 * A system: the components that must move together, as declared in its YAML file. Item-level rules are checked
 * by each item's constructor (so that errors carry the item's line), references between items here.
 *
 * @param file where it was read from (null when built in code)
 * @param sha256 content hash of the file, recorded with every manifest
 */
public record SystemDefinition(String name, List<DatasetSpec> datasets, List<FeatureSpec> features,
    List<IndexSpec> indexes, List<ModelSpec> models, List<PromptSpec> prompts, Path file, String sha256) {

  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

  @JsonCreator
  static SystemDefinition fromYaml(@JsonProperty(value = "name", required = true) String name,
      @JsonProperty("datasets") List<DatasetSpec> datasets, @JsonProperty("features") List<FeatureSpec> features,
      @JsonProperty("indexes") List<IndexSpec> indexes, @JsonProperty("models") List<ModelSpec> models,
      @JsonProperty("prompts") List<PromptSpec> prompts) {
    return new SystemDefinition(name, datasets, features, indexes, models, prompts, null, null);
  }

  public SystemDefinition {
    Specs.require(name != null && NAME.matcher(name).matches(), "name: " + Specs.shown(name)
        + " is not a valid system name (lower-case letters, digits, '_', '-', '.'; at most 63 characters)");
    datasets = Specs.list(datasets);
    features = Specs.list(features);
    indexes = Specs.list(indexes);
    models = Specs.list(models);
    prompts = Specs.list(prompts);
    Specs.require(!(datasets.isEmpty() && features.isEmpty() && indexes.isEmpty() && models.isEmpty()
        && prompts.isEmpty()),
        "the system declares no component: give at least one of datasets, features, indexes, models, prompts");
    unique("datasets", datasets.stream().map(DatasetSpec::table).toList(), "table");
    unique("features", features.stream().map(FeatureSpec::name).toList(), "name");
    unique("features", features.stream().map(FeatureSpec::target).toList(), "target");
    unique("indexes", indexes.stream().map(IndexSpec::qualifiedName).toList(), "name");
    unique("models", models.stream().map(ModelSpec::name).toList(), "name");
    unique("prompts", prompts.stream().map(PromptSpec::name).toList(), "name");
    Set<String> datasetTables = new HashSet<>(datasets.stream().map(DatasetSpec::table).toList());
    for (int i = 0; i < features.size(); i++) {
      Specs.require(!datasetTables.contains(features.get(i).target()), "features[" + i + "].target: "
          + features.get(i).target() + " is also listed under datasets; a feature table is derived, not restored");
    }
    Set<String> trainable = new LinkedHashSet<>(datasetTables);
    features.forEach(f -> trainable.add(f.target()));
    for (int m = 0; m < models.size(); m++) {
      List<String> trainsOn = models.get(m).trainsOn();
      for (int t = 0; t < trainsOn.size(); t++) {
        Specs.require(trainable.contains(trainsOn.get(t)), "models[" + m + "].trains-on[" + t + "]: "
            + trainsOn.get(t) + " is neither a dataset nor a feature table of the system (valid: "
            + String.join(", ", trainable) + ")");
      }
    }
  }

  public SystemDefinition withFile(Path file, String sha256) {
    return new SystemDefinition(name, datasets, features, indexes, models, prompts, file, sha256);
  }

  public FeatureSpec feature(String featureName) {
    return features.stream().filter(f -> f.name().equals(featureName)).findFirst()
        .orElseThrow(() -> new BadInputException("system " + name + " has no feature table named '" + featureName
            + "' (features: " + names(features.stream().map(FeatureSpec::name).toList()) + ")"));
  }

  public IndexSpec index(String indexName) {
    return indexes.stream().filter(i -> i.name().equals(indexName) || i.qualifiedName().equals(indexName))
        .findFirst()
        .orElseThrow(() -> new BadInputException("system " + name + " has no index named '" + indexName
            + "' (indexes: " + names(indexes.stream().map(IndexSpec::name).toList()) + ")"));
  }

  public ModelSpec model(String modelName) {
    return models.stream().filter(m -> m.name().equals(modelName)).findFirst()
        .orElseThrow(() -> new BadInputException("system " + name + " has no model named '" + modelName
            + "' (models: " + names(models.stream().map(ModelSpec::name).toList()) + ")"));
  }

  public PromptSpec prompt(String promptName) {
    return prompts.stream().filter(p -> p.name().equals(promptName)).findFirst()
        .orElseThrow(() -> new BadInputException("system " + name + " has no prompt named '" + promptName
            + "' (prompts: " + names(prompts.stream().map(PromptSpec::name).toList()) + ")"));
  }

  /** The feature table spec whose target is {@code table}, if the table is one. */
  public Optional<FeatureSpec> featureTargeting(String table) {
    return features.stream().filter(f -> f.target().equals(table)).findFirst();
  }

  private static String names(List<String> names) {
    return names.isEmpty() ? "none" : String.join(", ", names);
  }

  private static void unique(String list, List<String> values, String key) {
    Set<String> seen = new HashSet<>();
    List<String> duplicates = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      if (!seen.add(values.get(i))) {
        duplicates.add(list + "[" + i + "]." + key + " " + values.get(i));
      }
    }
    Specs.require(duplicates.isEmpty(), "duplicate " + String.join(", ", duplicates) + ": each " + key
        + " may appear once under " + list);
  }
}
