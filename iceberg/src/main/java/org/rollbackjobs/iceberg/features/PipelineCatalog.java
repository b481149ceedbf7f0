package org.rollbackjobs.iceberg.features;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.features.yaml.YamlPipelines;

/**
 * The feature pipelines known to one run: Java classes and providers found with {@link ServiceLoader}, YAML
 * definitions from folders, and any added explicitly. Looks a pipeline up by name and version, with messages
 * that list what exists. Two different definitions under one name and version are an error when that version
 * is asked for.
 */
public final class PipelineCatalog {
  private final Map<String, Map<String, FeaturePipeline>> pipelines;
  private final Map<String, List<FeaturePipeline>> conflicts;

  private PipelineCatalog(Map<String, Map<String, FeaturePipeline>> pipelines, Map<String, List<FeaturePipeline>> conflicts) {
    this.pipelines = pipelines;
    this.conflicts = conflicts;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The pipelines on the class path (ServiceLoader), as a library user would find them. */
  public static PipelineCatalog fromClasspath() {
    return builder().serviceLoader(Thread.currentThread().getContextClassLoader()).build();
  }

  public FeaturePipeline get(String name, String version) {
    Map<String, FeaturePipeline> versions = pipelines.get(name);
    if (versions == null) {
      throw new BadInputException("unknown pipeline '" + name + "'; " + describeKnown());
    }
    List<FeaturePipeline> conflicting = conflicts.get(key(name, version));
    if (conflicting != null) {
      throw new BadInputException("pipeline " + name + " version " + version + " has " + conflicting.size()
          + " different definitions (versions are immutable: give a changed definition a new version): "
          + conflicting.stream().map(p -> p.origin() + " (" + p.definitionHash() + ")").collect(Collectors.joining("; ")));
    }
    FeaturePipeline pipeline = versions.get(version);
    if (pipeline == null) {
      throw new BadInputException("pipeline " + name + " has no version '" + version + "'; versions: "
          + String.join(", ", versions.keySet()));
    }
    return pipeline;
  }

  /** Every pipeline found with ServiceLoader, as found (conflicting versions included). */
  public static List<FeaturePipeline> serviceLoaded(ClassLoader loader) {
    List<FeaturePipeline> found = new ArrayList<>();
    ServiceLoader.load(FeaturePipeline.class, loader).forEach(found::add);
    ServiceLoader.load(FeaturePipelineProvider.class, loader).forEach(p -> found.addAll(p.pipelines()));
    return found;
  }

  /** Every pipeline, by name then version. */
  public List<FeaturePipeline> all() {
    List<FeaturePipeline> all = new ArrayList<>();
    pipelines.values().forEach(v -> all.addAll(v.values()));
    return all;
  }

  public String describeKnown() {
    if (pipelines.isEmpty()) {
      return "no pipelines are known (add YAML definitions with --pipelines DIR or pipeline JARs to the class path)";
    }
    return "known pipelines: " + pipelines.entrySet().stream()
        .map(e -> e.getKey() + " (versions " + String.join(", ", e.getValue().keySet()) + ")")
        .collect(Collectors.joining(", "));
  }

  private static String key(String name, String version) {
    return name + "\u0000" + version;
  }

  /** Versions sort numerically when they are numbers ("2" before "10"), else as text. */
  static final Comparator<String> VERSION_ORDER = (a, b) -> {
    boolean numericA = a.matches("\\d{1,18}");
    boolean numericB = b.matches("\\d{1,18}");
    if (numericA && numericB) {
      return Long.compare(Long.parseLong(a), Long.parseLong(b));
    }
    return numericA != numericB ? (numericA ? -1 : 1) : a.compareTo(b);
  };

  public static final class Builder {
    private final List<FeaturePipeline> added = new ArrayList<>();

    public Builder add(FeaturePipeline pipeline) {
      added.add(pipeline);
      return this;
    }

    public Builder addAll(Collection<? extends FeaturePipeline> pipelines) {
      added.addAll(pipelines);
      return this;
    }

    /** Java pipelines ({@link FeaturePipeline}) and providers ({@link FeaturePipelineProvider}) on the class path. */
    public Builder serviceLoader(ClassLoader loader) {
      added.addAll(serviceLoaded(loader));
      return this;
    }

    /** The YAML definitions in a folder ({@code *.yaml}, {@code *.yml}). */
    public Builder directory(Path directory) {
      added.addAll(YamlPipelines.loadDirectory(directory));
      return this;
    }

    public PipelineCatalog build() {
      Map<String, Map<String, FeaturePipeline>> byName = new TreeMap<>();
      Map<String, List<FeaturePipeline>> conflicts = new LinkedHashMap<>();
      for (FeaturePipeline pipeline : added) {
        Map<String, FeaturePipeline> versions = byName.computeIfAbsent(pipeline.name(), n -> new TreeMap<>(VERSION_ORDER));
        FeaturePipeline existing = versions.putIfAbsent(pipeline.version(), pipeline);
        if (existing != null && !existing.definitionHash().equals(pipeline.definitionHash())) {
          List<FeaturePipeline> list = conflicts.computeIfAbsent(key(pipeline.name(), pipeline.version()),
              k -> new ArrayList<>(List.of(existing)));
          list.add(pipeline);
        }
      }
      return new PipelineCatalog(byName, conflicts);
    }
  }
}
