package org.rollbackjobs.jobs.verify;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.verify.DatasetCheck;
import org.rollbackjobs.iceberg.verify.FeatureTableCheck;
import org.rollbackjobs.iceberg.verify.TableFinding;
import org.rollbackjobs.jobs.features.FeaturePipelines;
import org.rollbackjobs.jobs.manifest.Manifest;
import org.rollbackjobs.jobs.manifest.ManifestContent;
import org.rollbackjobs.jobs.manifest.ManifestContent.DatasetPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.FeaturePin;
import org.rollbackjobs.jobs.retrain.RetrainCheck;
import org.rollbackjobs.jobs.manifest.ManifestContent.AliasPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.IndexPin;
import org.rollbackjobs.jobs.registry.RegistryCheck;
import org.rollbackjobs.jobs.system.FeatureSpec;
import org.rollbackjobs.jobs.system.PromptSpec;
import org.rollbackjobs.jobs.system.IndexSpec;
import org.rollbackjobs.vector.embedding.VersionCatalog;
import org.rollbackjobs.vector.index.IndexName;
import org.rollbackjobs.vector.verify.IndexCheck;
import org.rollbackjobs.vector.verify.IndexCheckReport;
import org.rollbackjobs.jobs.system.ModelSpec;
import org.rollbackjobs.jobs.system.Sandbox;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * Checks every component of a system against pinned versions (a manifest's, or the candidate of a capture) and
 * returns one finding per problem. Read-only.
 */
@Service
public class SystemVerifier {
  public static final String TABLE_MISSING = "table-missing";
  public static final String NOT_PINNED = "component-not-pinned";

  private final ObjectProvider<Catalog> catalog;
  private final FeaturePipelines pipelines;
  private final VerifyProperties properties;
  private final RetrainCheck retrainCheck;
  private final DataSource dataSource;
  private final ObjectProvider<VersionCatalog> versions;
  private final RegistryCheck registryCheck;

  public SystemVerifier(ObjectProvider<Catalog> catalog, FeaturePipelines pipelines, VerifyProperties properties,
      RetrainCheck retrainCheck, DataSource dataSource, ObjectProvider<VersionCatalog> versions,
      RegistryCheck registryCheck) {
    this.catalog = catalog;
    this.registryCheck = registryCheck;
    this.dataSource = dataSource;
    this.versions = versions;
    this.pipelines = pipelines;
    this.properties = properties;
    this.retrainCheck = retrainCheck;
  }

  /**
   * Every finding of the system against a stored manifest. A model served through a registry alias that the
   * manifest pins is checked by its alias (that version was trained on the pinned data); any other model by its
   * retrain request.
   */
  public List<Finding> verify(SystemDefinition system, Manifest manifest) {
    List<Finding> findings = new ArrayList<>(components(system, manifest.content()));
    for (ModelSpec model : system.models()) {
      var pin = manifest.content().model(model.name());
      if (pin.isEmpty()) {
        findings.add(notPinned("model", model.name(), model.name()));
        continue;
      }
      AliasPin alias = RegistryCheck.applicable(model.registry(), pin.get().registry());
      findings.addAll(alias != null
          ? registryCheck.compare(RegistryCheck.MODEL, model.name(), model.registry(), alias).findings()
          : retrainCheck.check(system.name(), pin.get(), manifest.id()));
    }
    for (PromptSpec prompt : system.prompts()) {
      AliasPin alias = RegistryCheck.applicable(prompt.registry(),
          manifest.content().prompt(prompt.name()).map(p -> p.registry()).orElse(null));
      findings.addAll(alias == null ? List.of(notPinned("prompt", prompt.name(), prompt.name() + " ("
          + prompt.registry().mlflow().name() + "@" + prompt.registry().mlflow().alias() + ")"))
          : registryCheck.compare(RegistryCheck.PROMPT, prompt.name(), prompt.registry(), alias).findings());
    }
    return findings;
  }

  /**
   * The findings of the datasets, feature tables and indexes: what a capture checks. Models are left out there:
   * a model trained on older data is normal until the manifest exists to retrain against.
   */
  public List<Finding> components(SystemDefinition system, ManifestContent pins) {
    return components(system, pins, null);
  }

  /**
   * As {@link #components(SystemDefinition, ManifestContent)}, in a drill's sandbox (null: production): the
   * datasets and feature tables on its branch, the indexes in its schema ({@code system} is the sandbox's, see
   * {@link Sandbox#apply}). A sandbox index is not compared with the pinned build id: that build is production's.
   */
  public List<Finding> components(SystemDefinition system, ManifestContent pins, Sandbox sandbox) {
    String branch = sandbox == null ? null : sandbox.branch();
    List<Finding> findings = new ArrayList<>();
    for (var dataset : system.datasets()) {
      findings.addAll(dataset(dataset.table(), pins.dataset(dataset.table()).orElse(null), branch));
    }
    for (FeatureSpec feature : system.features()) {
      findings.addAll(feature(feature, pins.feature(feature.name()).orElse(null), branch));
    }
    for (IndexSpec index : system.indexes()) {
      findings.addAll(index(index, pins.index(index.name()).orElse(null), sandbox == null));
    }
    return findings;
  }

  List<Finding> dataset(String table, DatasetPin pin, String branch) {
    if (pin == null) {
      return List.of(notPinned("dataset", table, table));
    }
    Table loaded = load(table);
    if (loaded == null) {
      return List.of(missing("dataset", table, table));
    }
    return convert("dataset", table, DatasetCheck.of(loaded).named(table).pinned(pin.snapshotId()).useRef(branch)
        .exampleLimit(properties.examples()).run());
  }

  List<Finding> feature(FeatureSpec spec, FeaturePin pin, String branch) {
    if (pin == null || pin.pipelineVersion() == null) {
      return List.of(notPinned("feature", spec.name(), spec.target() + " (no pipeline version: the feature table"
          + " has no recompute lineage and the system file gives no version)"));
    }
    if (load(pin.target()) == null) {
      return List.of(missing("feature", spec.name(), pin.target()));
    }
    FeaturePipeline pipeline;
    try {
      pipeline = pipelines.catalog(spec.pipelines() == null ? null : Path.of(spec.pipelines()))
          .get(pin.pipeline(), pin.pipelineVersion());
    } catch (BadInputException e) {
      return List.of(new Finding("feature", spec.name(), FeatureTableCheck.NOT_COMPUTABLE, pin.target()
          + ": the pinned pipeline is not available here: " + e.getMessage(), 1, List.of(pin.pipeline())));
    }
    List<Finding> findings = new ArrayList<>();
    if (pin.pipelineHash() != null && !pin.pipelineHash().equals(pipeline.definitionHash())) {
      findings.add(new Finding("feature", spec.name(), FeatureTableCheck.PIPELINE_MISMATCH, pin.pipeline()
          + " version " + pin.pipelineVersion() + " has changed since the manifest (definition hash "
          + pipeline.definitionHash() + ", pinned " + pin.pipelineHash() + ")", 1, List.of(pin.pipelineVersion())));
    }
    findings.addAll(convert("feature", spec.name(), FeatureTableCheck.of(catalog.getObject(), pin.target())
        .pipeline(pipeline).source(pin.source(), pin.sourceSnapshotId()).useRef(branch)
        .sampleKeys(properties.featureSampleKeys()).exampleLimit(properties.examples()).run()));
    return findings;
  }

  List<Finding> index(IndexSpec spec, IndexPin pin, boolean comparePinnedBuild) {
    if (pin == null) {
      return List.of(notPinned("index", spec.name(), spec.qualifiedName()));
    }
    Table source = load(pin.source());
    if (source == null) {
      return List.of(missing("index", spec.name(), pin.source()));
    }
    IndexCheckReport report = IndexCheck.of(dataSource, IndexName.of(spec.schema(), spec.name()))
        .versions(versions.getObject())
        .embedding(pin.embeddingVersion())
        .source(source, pin.sourceSnapshotId(), spec.idColumn(), spec.textColumn())
        .pinnedBuild(comparePinnedBuild ? pin.buildId() : null)
        .exampleLimit(properties.examples())
        .run();
    return report.findings().stream()
        .map(f -> new Finding("index", spec.name(), f.kind(), f.message(), f.count(), f.examples()))
        .toList();
  }

  private Table load(String table) {
    Catalog c = catalog.getObject();
    if (!c.tableExists(TableName.parse(table))) {
      return null;
    }
    return CatalogLoader.loadTable(c, table);
  }

  static Finding notPinned(String component, String name, String what) {
    return new Finding(component, name, NOT_PINNED, "the manifest pins no version of " + component + " " + what,
        1, List.of(name));
  }

  static Finding missing(String component, String name, String table) {
    return new Finding(component, name, TABLE_MISSING, "table " + table + " does not exist", 1, List.of(table));
  }

  static List<Finding> convert(String component, String name, List<TableFinding> findings) {
    return findings.stream().map(f -> new Finding(component, name, f.kind(), f.message(), f.count(), f.examples()))
        .toList();
  }
}
