package org.rollbackjobs.jobs.manifest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.features.FeatureLineage;
import org.rollbackjobs.iceberg.verify.FeatureLineageTrace;
import org.rollbackjobs.jobs.manifest.ManifestContent.DatasetPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.FeaturePin;
import org.rollbackjobs.jobs.manifest.ManifestContent.IndexPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.ModelPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.PromptPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.TablePin;
import org.rollbackjobs.jobs.manifest.ManifestContent.TagPin;
import org.rollbackjobs.jobs.system.DatasetSpec;
import org.rollbackjobs.jobs.system.FeatureSpec;
import org.rollbackjobs.jobs.registry.RegistryCheck;
import org.rollbackjobs.jobs.system.ModelSpec;
import org.rollbackjobs.jobs.system.PromptSpec;
import org.rollbackjobs.jobs.system.SystemDefinition;

/**
 * What a manifest captured now would pin: every table at its current snapshot, each feature table's pipeline
 * version from its lineage (the system file's version when it has none), each index's serving build, the version
 * each registry alias (of a model or a prompt) points at. A
 * consistent system satisfies its own candidate; the findings of the candidate are the system's mixed state.
 */
final class CandidatePins {
  private final Catalog catalog;
  private final Map<String, Long> current = new LinkedHashMap<>();

  CandidatePins(Catalog catalog) {
    this.catalog = catalog;
  }

  ManifestContent of(SystemDefinition system, List<IndexPin> indexes, String tag, RegistryCheck registry) {
    List<DatasetPin> datasets = new ArrayList<>();
    for (DatasetSpec dataset : system.datasets()) {
      datasets.add(new DatasetPin(dataset.table(), requireSnapshot(dataset.table(), "dataset")));
    }
    List<FeaturePin> features = new ArrayList<>();
    for (FeatureSpec feature : system.features()) {
      features.add(feature(feature));
    }
    List<ModelPin> models = new ArrayList<>();
    for (ModelSpec model : system.models()) {
      List<TablePin> trainsOn = new ArrayList<>();
      for (String table : model.trainsOn()) {
        boolean isFeature = system.featureTargeting(table).isPresent();
        Long snapshot = snapshotOf(table);
        if (snapshot == null) {
          throw new BadInputException("model " + model.name() + " trains on " + table + ", which has no snapshot yet"
              + (isFeature ? ": recompute the feature table first" : ""));
        }
        trainsOn.add(new TablePin(table, snapshot, isFeature ? "feature" : "dataset"));
      }
      models.add(new ModelPin(model.name(), model.version(), trainsOn, model.hasRegistry()
          ? registry.pin(RegistryCheck.MODEL, model.name(), model.registry()) : null));
    }
    List<PromptPin> prompts = new ArrayList<>();
    for (PromptSpec prompt : system.prompts()) {
      prompts.add(new PromptPin(prompt.name(), registry.pin(RegistryCheck.PROMPT, prompt.name(), prompt.registry())));
    }
    List<TagPin> tags = new ArrayList<>();
    current.forEach((table, snapshot) -> {
      if (snapshot != null) {
        tags.add(new TagPin(table, snapshot, tag));
      }
    });
    return new ManifestContent(datasets, features, indexes, models, tags, prompts);
  }

  private FeaturePin feature(FeatureSpec spec) {
    long sourceSnapshot = requireSnapshot(spec.source(), "source of feature " + spec.name());
    Long targetSnapshot = snapshotOf(spec.target());
    String version = spec.version();
    String hash = null;
    if (targetSnapshot != null) {
      FeatureLineageTrace.Trace trace = FeatureLineageTrace.of(CatalogLoader.loadTable(catalog, spec.target()));
      if (trace.found() && spec.pipeline().equals(trace.get(FeatureLineage.PIPELINE))) {
        version = trace.get(FeatureLineage.PIPELINE_VERSION);
        hash = trace.get(FeatureLineage.PIPELINE_HASH);
      }
    }
    return new FeaturePin(spec.name(), spec.target(), targetSnapshot, spec.source(), sourceSnapshot, spec.pipeline(),
        version, hash);
  }

  private long requireSnapshot(String table, String role) {
    if (!catalog.tableExists(TableName.parse(table))) {
      throw new BadInputException("table " + table + " (" + role + ") does not exist in catalog " + catalog.name());
    }
    Long snapshot = snapshotOf(table);
    if (snapshot == null) {
      throw new BadInputException("table " + table + " (" + role + ") has no snapshot yet: nothing to pin");
    }
    return snapshot;
  }

  /** The current snapshot of a table (null: no table or no snapshot), read once per capture. */
  Long snapshotOf(String table) {
    if (current.containsKey(table)) {
      return current.get(table);
    }
    Long id = null;
    if (catalog.tableExists(TableName.parse(table))) {
      Table loaded = CatalogLoader.loadTable(catalog, table);
      Snapshot snapshot = loaded.currentSnapshot();
      id = snapshot == null ? null : snapshot.snapshotId();
    }
    current.put(table, id);
    return id;
  }
}
