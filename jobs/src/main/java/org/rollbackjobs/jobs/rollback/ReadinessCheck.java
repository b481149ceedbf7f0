package org.rollbackjobs.jobs.rollback;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.jobs.features.FeaturePipelines;
import org.rollbackjobs.jobs.manifest.Manifest;
import org.rollbackjobs.jobs.manifest.ManifestContent.DatasetPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.FeaturePin;
import org.rollbackjobs.jobs.manifest.ManifestContent.IndexPin;
import org.rollbackjobs.jobs.system.FeatureSpec;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.rollbackjobs.vector.embedding.EmbeddingRegistry;
import org.rollbackjobs.vector.embedding.RegisteredVersion;
import org.rollbackjobs.vector.embedding.VersionCatalog;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Whether everything a rollback to a manifest needs is still there: the manifest is live, every pinned snapshot
 * exists, every pinned pipeline version is available with its pinned definition hash, every pinned embedding
 * version can be loaded with its pinned model, and none of them is quarantined (unless overridden). Each failed
 * check is a guard of its own, named. Reads only.
 */
@Component
public class ReadinessCheck {
  private final ObjectProvider<Catalog> catalog;
  private final FeaturePipelines pipelines;
  private final ObjectProvider<VersionCatalog> versions;
  private final DataSource dataSource;

  public ReadinessCheck(ObjectProvider<Catalog> catalog, FeaturePipelines pipelines,
      ObjectProvider<VersionCatalog> versions, DataSource dataSource) {
    this.catalog = catalog;
    this.pipelines = pipelines;
    this.versions = versions;
    this.dataSource = dataSource;
  }

  public List<Guard> check(SystemDefinition system, Manifest manifest, boolean overrideQuarantine) {
    List<Guard> guards = new ArrayList<>();
    guards.add(manifest.retired()
        ? Guard.failed("manifest", "manifest " + manifest.id() + " is retired")
        : Guard.ok("manifest", "manifest " + manifest.id() + " is live"));
    guards.add(snapshots(manifest));
    guards.add(pipelines(system, manifest));
    guards.addAll(embeddings(manifest, overrideQuarantine));
    return guards;
  }

  private Guard snapshots(Manifest manifest) {
    List<String> missing = new ArrayList<>();
    int checked = 0;
    for (DatasetPin pin : manifest.content().datasets()) {
      checked++;
      missingSnapshot(pin.table(), pin.snapshotId()).ifPresent(missing::add);
    }
    for (FeaturePin pin : manifest.content().features()) {
      checked++;
      missingSnapshot(pin.source(), pin.sourceSnapshotId()).ifPresent(missing::add);
    }
    for (IndexPin pin : manifest.content().indexes()) {
      checked++;
      missingSnapshot(pin.source(), pin.sourceSnapshotId()).ifPresent(missing::add);
    }
    return missing.isEmpty() ? Guard.ok("snapshots", "all " + checked + " pinned snapshots exist")
        : Guard.failed("snapshots", "pinned snapshots are gone: " + String.join("; ", missing));
  }

  private Optional<String> missingSnapshot(String table, long snapshotId) {
    Catalog c = catalog.getObject();
    if (!c.tableExists(TableName.parse(table))) {
      return Optional.of("table " + table + " does not exist");
    }
    Table loaded = CatalogLoader.loadTable(c, table);
    return loaded.snapshot(snapshotId) == null
        ? Optional.of(table + " has no snapshot " + snapshotId + " (expired?)") : Optional.empty();
  }

  private Guard pipelines(SystemDefinition system, Manifest manifest) {
    List<String> problems = new ArrayList<>();
    for (FeatureSpec spec : system.features()) {
      Optional<FeaturePin> pin = manifest.content().feature(spec.name());
      if (pin.isEmpty()) {
        continue;
      }
      try {
        FeaturePipeline pipeline = pipelines.catalog(spec.pipelines() == null ? null : Path.of(spec.pipelines()))
            .get(pin.get().pipeline(), pin.get().pipelineVersion());
        if (pin.get().pipelineHash() != null && !pin.get().pipelineHash().equals(pipeline.definitionHash())) {
          problems.add(pin.get().pipeline() + " version " + pin.get().pipelineVersion() + " has definition hash "
              + pipeline.definitionHash() + ", the manifest pins " + pin.get().pipelineHash());
        }
      } catch (RuntimeException e) {
        problems.add(pin.get().pipeline() + " version " + pin.get().pipelineVersion() + ": " + e.getMessage());
      }
    }
    return problems.isEmpty() ? Guard.ok("pipelines", "every pinned pipeline version is available as pinned")
        : Guard.failed("pipelines", String.join("; ", problems));
  }

  private List<Guard> embeddings(Manifest manifest, boolean overrideQuarantine) {
    List<String> problems = new ArrayList<>();
    List<String> quarantined = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      for (IndexPin pin : manifest.content().indexes()) {
        String name = pin.embeddingVersion();
        try {
          versions.getObject().lookup(c, name); // refuses a registered pin that differs from the model here
          if (!versions.getObject().hasModel(name)) {
            problems.add(name + ": no model for it is available here");
          }
        } catch (RuntimeException e) {
          problems.add(name + ": " + e.getMessage());
        }
        Optional<RegisteredVersion> registered = EmbeddingRegistry.find(c, name);
        if (registered.isPresent() && registered.get().quarantined()) {
          quarantined.add(name + " (" + registered.get().statusReason() + ")");
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the embedding registry: " + e.getMessage(), e);
    }
    List<Guard> guards = new ArrayList<>();
    guards.add(problems.isEmpty() ? Guard.ok("embeddings", "every pinned embedding version loads with its pinned model")
        : Guard.failed("embeddings", String.join("; ", problems)));
    if (quarantined.isEmpty()) {
      guards.add(Guard.ok("quarantine", "no pinned version is quarantined"));
    } else if (overrideQuarantine) {
      guards.add(Guard.ok("quarantine", "quarantined, overridden: " + String.join(", ", quarantined)));
    } else {
      guards.add(Guard.failed("quarantine", "pinned versions are quarantined: " + String.join(", ", quarantined)
          + "; give --override-quarantine to roll back to them anyway"));
    }
    return guards;
  }
}
