package org.rollbackjobs.jobs.rollback;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.features.FeatureLineage;
import org.rollbackjobs.iceberg.restore.RestoreMode;
import org.rollbackjobs.iceberg.restore.RestorePlan;
import org.rollbackjobs.iceberg.snapshot.Refs;
import org.rollbackjobs.iceberg.snapshot.SnapshotTarget;
import org.rollbackjobs.jobs.manifest.Manifest;
import org.rollbackjobs.jobs.manifest.ManifestContent.AliasPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.DatasetPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.FeaturePin;
import org.rollbackjobs.jobs.manifest.ManifestContent.IndexPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.ModelPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.PromptPin;
import org.rollbackjobs.jobs.registry.RegistryCheck;
import org.rollbackjobs.jobs.restore.RestoreRequest;
import org.rollbackjobs.jobs.restore.RestoreService;
import org.rollbackjobs.jobs.retrain.RetrainCheck;
import org.rollbackjobs.jobs.retrain.RetrainStore;
import org.rollbackjobs.jobs.system.DatasetSpec;
import org.rollbackjobs.jobs.system.FeatureSpec;
import org.rollbackjobs.jobs.system.IndexSpec;
import org.rollbackjobs.jobs.system.ModelSpec;
import org.rollbackjobs.jobs.system.PromptSpec;
import org.rollbackjobs.jobs.system.RegistrySpec;
import org.rollbackjobs.jobs.system.Sandbox;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.rollbackjobs.jobs.verify.Finding;
import org.rollbackjobs.jobs.verify.SystemVerifier;
import org.rollbackjobs.vector.embedding.EmbeddingCache;
import org.rollbackjobs.vector.index.BuildRegistry;
import org.rollbackjobs.vector.index.IndexBuild;
import org.rollbackjobs.vector.index.IndexName;
import org.rollbackjobs.vector.source.IcebergDocumentSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * Compares every component of a system with what a manifest pins (the comparison {@code verify} makes) and decides
 * one action per component: a component with a finding moves, one without stays. An index whose pinned build is
 * still kept (the previous build, same embedding version and source snapshot) is switched back instead of rebuilt.
 * A model served through a registry alias the manifest pins gets its alias set back (no retrain: that version was
 * trained on the pinned data); a model without one is retrained; a prompt gets its alias set back. Changes nothing.
 */
@Service
public class RollbackPlanner {
  private final ObjectProvider<Catalog> catalog;
  private final SystemVerifier verifier;
  private final RetrainCheck retrainCheck;
  private final RetrainStore retrainStore;
  private final RestoreService restoreService;
  private final DataSource dataSource;
  private final RegistryCheck registryCheck;

  public RollbackPlanner(ObjectProvider<Catalog> catalog, SystemVerifier verifier, RetrainCheck retrainCheck,
      RetrainStore retrainStore, RestoreService restoreService, DataSource dataSource, RegistryCheck registryCheck) {
    this.catalog = catalog;
    this.registryCheck = registryCheck;
    this.verifier = verifier;
    this.retrainCheck = retrainCheck;
    this.retrainStore = retrainStore;
    this.restoreService = restoreService;
    this.dataSource = dataSource;
  }

  public RollbackPlan plan(SystemDefinition system, Manifest manifest) {
    return plan(system, manifest, null);
  }

  /**
   * The plan in a drill's sandbox (null: production), {@code system} being the sandbox's ({@link Sandbox#apply}):
   * datasets and feature tables are read on its branch, indexes in its schema.
   */
  public RollbackPlan plan(SystemDefinition system, Manifest manifest, Sandbox sandbox) {
    String branch = sandbox == null ? null : sandbox.branch();
    List<Finding> findings = new ArrayList<>(verifier.components(system, manifest.content(), sandbox));
    List<ComponentAction> components = new ArrayList<>();
    for (DatasetSpec dataset : system.datasets()) {
      components.add(dataset(dataset, pinOf(manifest.content().dataset(dataset.table()), "dataset", dataset.table()),
          has(findings, ComponentAction.DATASET, dataset.table()), branch));
    }
    for (FeatureSpec feature : system.features()) {
      components.add(feature(feature, pinOf(manifest.content().feature(feature.name()), "feature", feature.name()),
          has(findings, ComponentAction.FEATURE, feature.name()), branch));
    }
    for (IndexSpec index : system.indexes()) {
      components.add(index(index, pinOf(manifest.content().index(index.name()), "index", index.name()),
          has(findings, ComponentAction.INDEX, index.name())));
    }
    for (ModelSpec model : system.models()) {
      ModelPin pin = pinOf(manifest.content().model(model.name()), "model", model.name());
      AliasPin alias = RegistryCheck.applicable(model.registry(), pin.registry());
      if (alias != null) {
        components.add(setAlias(ComponentAction.MODEL, model.name(), model.registry(), alias, findings));
        continue;
      }
      List<Finding> modelFindings = retrainCheck.check(system.name(), pin, manifest.id());
      findings.addAll(modelFindings);
      components.add(model(system.name(), pin, manifest.id(), !modelFindings.isEmpty()));
    }
    for (PromptSpec prompt : system.prompts()) {
      PromptPin pin = pinOf(manifest.content().prompt(prompt.name()), "prompt", prompt.name());
      AliasPin alias = RegistryCheck.applicable(prompt.registry(), pin.registry());
      if (alias == null) {
        throw new org.rollbackjobs.iceberg.BadInputException("the manifest pins prompt " + prompt.name() + " as "
            + (pin.registry() == null ? "no registry alias" : pin.registry().name()) + ", the system file names " + prompt.registry().mlflow().name()
            + "; a rollback needs every component pinned (capture a manifest of the system as it is now)");
      }
      components.add(setAlias(ComponentAction.PROMPT, prompt.name(), prompt.registry(), alias, findings));
    }
    String id = PlanId.of(system.name(), system.sha256(), manifest.id(), components);
    return new RollbackPlan(id, system.name(), String.valueOf(system.file()), system.sha256(), manifest.id(),
        RollbackLevel.of(components), components, findings);
  }

  private ComponentAction dataset(DatasetSpec spec, DatasetPin pin, boolean moves, String branch) {
    Table table = CatalogLoader.loadTable(catalog.getObject(), spec.table());
    Snapshot head = Refs.head(table, branch);
    String from = head == null ? "empty" : Long.toString(head.snapshotId());
    String to = Long.toString(pin.snapshotId());
    if (!moves) {
      return new ComponentAction(ComponentAction.DATASET, spec.table(), ComponentAction.NONE, from, to, Map.of());
    }
    RestorePlan restore = restoreService.plan(new RestoreRequest(spec.table(), SnapshotTarget.id(pin.snapshotId()),
        RestoreMode.COMMIT, "plan", "plan", branch));
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("rows-restored", restore.rowsToRestore());
    facts.put("rows-discarded", restore.rowsToDiscard());
    facts.put("files-restored", restore.filesToRestore().size());
    facts.put("files-discarded", restore.filesToDiscard().size());
    return new ComponentAction(ComponentAction.DATASET, spec.table(), ComponentAction.RESTORE, from, to, facts);
  }

  private ComponentAction feature(FeatureSpec spec, FeaturePin pin, boolean moves, String branch) {
    String to = pin.pipeline() + " v" + pin.pipelineVersion() + " from " + pin.source() + "@" + pin.sourceSnapshotId();
    String from = "absent";
    Catalog c = catalog.getObject();
    if (c.tableExists(TableName.parse(pin.target()))) {
      Snapshot current = Refs.head(CatalogLoader.loadTable(c, pin.target()), branch);
      Map<String, String> summary = current == null ? Map.of() : current.summary();
      from = summary.containsKey(FeatureLineage.PIPELINE)
          ? summary.get(FeatureLineage.PIPELINE) + " v" + summary.get(FeatureLineage.PIPELINE_VERSION) + " from "
              + summary.get(FeatureLineage.SOURCE_TABLE) + "@" + summary.get(FeatureLineage.SOURCE_SNAPSHOT)
          : "no recompute lineage" + (current == null ? "" : " (snapshot " + current.snapshotId() + ")");
    }
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("pipeline", pin.pipeline());
    facts.put("version", pin.pipelineVersion());
    facts.put("source-snapshot", pin.sourceSnapshotId());
    return new ComponentAction(ComponentAction.FEATURE, spec.name(), moves ? ComponentAction.RECOMPUTE
        : ComponentAction.NONE, from, to, facts);
  }

  private ComponentAction index(IndexSpec spec, IndexPin pin, boolean moves) {
    IndexName name = IndexName.of(spec.schema(), spec.name());
    String to = pin.embeddingVersion() + " from " + pin.source() + "@" + pin.sourceSnapshotId();
    try (Connection c = dataSource.getConnection()) {
      Optional<BuildRegistry.ServingRecord> serving = BuildRegistry.servingRecord(c, name);
      String from = serving.isEmpty() || serving.get().buildId() == null ? "not serving"
          : describe(BuildRegistry.find(c, serving.get().buildId()).orElse(null));
      if (!moves) {
        return new ComponentAction(ComponentAction.INDEX, spec.name(), ComponentAction.NONE, from, to, Map.of());
      }
      Optional<IndexBuild> previous = BuildRegistry.latestPrevious(c, name);
      if (previous.isPresent() && pin.buildId() != null && previous.get().id() == pin.buildId()
          && pin.embeddingVersion().equals(previous.get().embeddingVersion())
          && Long.valueOf(pin.sourceSnapshotId()).equals(previous.get().sourceSnapshot())) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("documents", previous.get().rows());
        facts.put("build-id", previous.get().id());
        facts.put("keep-until", String.valueOf(previous.get().keepUntil()));
        return new ComponentAction(ComponentAction.INDEX, spec.name(), ComponentAction.SWITCH_BACK, from,
            describe(previous.get()), facts);
      }
      // what the rebuild will take from the embedding cache: the pinned snapshot's texts with the pinned version
      Table source = CatalogLoader.loadTable(catalog.getObject(), spec.source());
      EmbeddingCache.Reuse reuse = EmbeddingCache.reusable(c, pin.embeddingVersion(),
          IcebergDocumentSource.of(source, pin.sourceSnapshotId(), spec.idColumn(), spec.textColumn()));
      Map<String, Object> facts = new LinkedHashMap<>();
      facts.put("documents", reuse.documents());
      facts.put("reusable", reuse.reused());
      facts.put("to-embed", reuse.toEmbed());
      return new ComponentAction(ComponentAction.INDEX, spec.name(), ComponentAction.REBUILD, from, to, facts);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the builds of index " + name + ": " + e.getMessage(), e);
    }
  }

  private ComponentAction model(String system, ModelPin pin, long manifestId, boolean moves) {
    String from = retrainStore.latest(system, pin.name())
        .map(r -> "retrain request of manifest " + r.manifestId()).orElse("no retrain request");
    String to = "trained on manifest " + manifestId + "'s snapshots";
    return new ComponentAction(ComponentAction.MODEL, pin.name(), moves ? ComponentAction.RETRAIN
        : ComponentAction.NONE, from, to, Map.of("trains-on", pin.trainsOn().size()));
  }

  /** The alias now ({@code from}) and the pinned version ({@code to}); moves when they differ. */
  private ComponentAction setAlias(String component, String name, RegistrySpec registry, AliasPin pin,
      List<Finding> findings) {
    RegistryCheck.Comparison now = registryCheck.compare(component, name, registry, pin);
    findings.addAll(now.findings());
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("registry", AliasPin.MLFLOW);
    facts.put("registered-name", registry.mlflow().name());
    facts.put("alias", registry.mlflow().alias());
    return new ComponentAction(component, name, now.differs() ? ComponentAction.SET_ALIAS : ComponentAction.NONE,
        now.current(), pin.version(), facts);
  }

  private static String describe(IndexBuild build) {
    return build == null ? "unknown build" : "build " + build.id() + " (" + build.embeddingVersion() + " from "
        + build.source() + "@" + build.sourceSnapshot() + ")";
  }

  private static boolean has(List<Finding> findings, String component, String name) {
    return findings.stream().anyMatch(f -> f.component().equals(component) && f.name().equals(name));
  }

  private static <T> T pinOf(Optional<T> pin, String component, String name) {
    return pin.orElseThrow(() -> new org.rollbackjobs.iceberg.BadInputException("the manifest pins no version of "
        + component + " " + name + "; a rollback needs every component pinned (capture a manifest of the system"
        + " as it is now)"));
  }
}
