package org.rollbackjobs.jobs.drill;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.data.GenericDataFiles;
import org.rollbackjobs.iceberg.features.FeatureLineage;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.RecomputeFeatures;
import org.rollbackjobs.iceberg.restore.Lineage;
import org.rollbackjobs.iceberg.snapshot.Refs;
import org.rollbackjobs.jobs.config.VectorProperties;
import org.rollbackjobs.jobs.features.FeaturePipelines;
import org.rollbackjobs.jobs.index.RebuildIndexRequest;
import org.rollbackjobs.jobs.index.RebuildIndexService;
import org.rollbackjobs.jobs.manifest.Manifest;
import org.rollbackjobs.jobs.manifest.ManifestContent.FeaturePin;
import org.rollbackjobs.jobs.manifest.ManifestContent.IndexPin;
import org.rollbackjobs.jobs.system.DatasetSpec;
import org.rollbackjobs.jobs.system.FeatureSpec;
import org.rollbackjobs.jobs.system.IndexSpec;
import org.rollbackjobs.jobs.system.Sandbox;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.rollbackjobs.vector.embedding.BuiltInModel;
import org.rollbackjobs.vector.embedding.Embedder;
import org.rollbackjobs.vector.index.BuildRegistry;
import org.rollbackjobs.vector.index.IndexBuild;
import org.rollbackjobs.vector.index.IndexName;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Damages a drill's sandbox on purpose, before the rollback, so that the drill proves verify detects the fault
 * and the rollback repairs it. Only the sandbox's branches are written; main is never touched.
 */
@Component
class FaultInjector {
  /** Rows a bad load appends: copies of the branch's first rows, as a load run twice would add. */
  static final int BAD_LOAD_ROWS = 50;
  /** The summary property that marks a commit as a drill's injected fault. */
  static final String FAULT = "rollback.drill.fault";

  private final ObjectProvider<Catalog> catalog;
  private final FeaturePipelines pipelines;
  private final RebuildIndexService indexes;
  private final VectorProperties vector;
  private final DataSource dataSource;

  FaultInjector(ObjectProvider<Catalog> catalog, FeaturePipelines pipelines, RebuildIndexService indexes,
      VectorProperties vector, DataSource dataSource) {
    this.catalog = catalog;
    this.pipelines = pipelines;
    this.indexes = indexes;
    this.vector = vector;
    this.dataSource = dataSource;
  }

  /** Whether the system has a component the fault can be injected into: bad input (exit 2) before anything is made. */
  void checkApplicable(Inject inject, SystemDefinition system) {
    switch (inject) {
      case BAD_LOAD -> badLoadTarget(system);
      case STALE_FEATURES -> {
        if (system.features().isEmpty()) {
          throw new BadInputException("--inject stale-features: system " + system.name() + " has no feature table");
        }
      }
      case MIXED_EMBEDDINGS -> {
        if (system.indexes().isEmpty()) {
          throw new BadInputException("--inject mixed-embeddings: system " + system.name() + " has no index");
        }
      }
      default -> { }
    }
  }

  /** @param system the sandbox's system ({@link Sandbox#apply}): its indexes are in the sandbox's schema */
  void inject(Inject inject, Sandbox sandbox, SystemDefinition system, Manifest manifest, String reason,
      String actor) {
    switch (inject) {
      case BAD_LOAD -> badLoad(badLoadTarget(system), sandbox.branch(), reason);
      case STALE_FEATURES -> staleFeatures(system.features().get(0), manifest, sandbox.branch(), reason);
      case MIXED_EMBEDDINGS -> mixedEmbeddings(system.indexes().get(0), manifest, reason, actor);
      default -> throw new IllegalStateException("no injection for " + inject);
    }
  }

  private DatasetSpec badLoadTarget(SystemDefinition system) {
    for (DatasetSpec dataset : system.datasets()) {
      if (!CatalogLoader.loadTable(catalog.getObject(), dataset.table()).spec().isPartitioned()) {
        return dataset;
      }
    }
    throw new BadInputException("--inject bad-load appends rows to an unpartitioned dataset, and system "
        + system.name() + " has none (datasets: " + String.join(", ", system.datasets().stream()
        .map(DatasetSpec::table).toList()) + ")");
  }

  private void badLoad(DatasetSpec dataset, String branch, String reason) {
    Table table = CatalogLoader.loadTable(catalog.getObject(), dataset.table());
    Snapshot head = Refs.head(table, branch);
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).useSnapshot(head.snapshotId()).build()) {
      for (Record record : records) {
        rows.add(record.copy());
        if (rows.size() == BAD_LOAD_ROWS) {
          break;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dataset.table() + " on branch " + branch, e);
    }
    if (rows.isEmpty()) {
      throw new BadInputException("--inject bad-load: " + dataset.table() + " has no rows to load again");
    }
    DataFile file = GenericDataFiles.write(table, rows);
    table.newAppend().appendFile(file).toBranch(branch).set(FAULT, Inject.BAD_LOAD.label())
        .set(Lineage.REASON, reason).commit();
  }

  /** The feature table recomputed on the branch with its pinned pipeline from another snapshot of its source. */
  private void staleFeatures(FeatureSpec feature, Manifest manifest, String branch, String reason) {
    FeaturePin pin = manifest.content().feature(feature.name()).orElseThrow(() -> new BadInputException(
        "--inject stale-features: manifest " + manifest.id() + " pins no version of feature " + feature.name()));
    FeaturePipeline pipeline = pipelines.catalog(feature.pipelines() == null ? null : Path.of(feature.pipelines()))
        .get(pin.pipeline(), pin.pipelineVersion());
    Table source = CatalogLoader.loadTable(catalog.getObject(), pin.source());
    Snapshot pinned = source.snapshot(pin.sourceSnapshotId());
    Long other = source.currentSnapshot() != null && source.currentSnapshot().snapshotId() != pin.sourceSnapshotId()
        ? Long.valueOf(source.currentSnapshot().snapshotId()) : pinned == null ? null : pinned.parentId();
    if (other == null) {
      throw new BadInputException("--inject stale-features: source " + pin.source() + " has no snapshot other than"
          + " the pinned " + pin.sourceSnapshotId() + " to compute stale features from");
    }
    RecomputeFeatures.of(catalog.getObject()).pipeline(pipeline).source(pin.source()).sourceSnapshot(other)
        .target(pin.target()).toBranch(branch).threads(1).set(FeatureLineage.REASON, reason)
        .set(FAULT, Inject.STALE_FEATURES.label()).commit();
  }

  /**
   * The sandbox index built at its pins, then a fifth of its vectors (at least one) replaced by vectors of the same
   * documents' texts from another built-in model of the same dimension, labelled with that model's version: what
   * an index half re-embedded by a new model looks like.
   */
  private void mixedEmbeddings(IndexSpec index, Manifest manifest, String reason, String actor) {
    IndexPin pin = manifest.content().index(index.name()).orElseThrow(() -> new BadInputException(
        "--inject mixed-embeddings: manifest " + manifest.id() + " pins no version of index " + index.name()));
    indexes.rebuild(RebuildIndexRequest.pinned(index, pin.embeddingVersion(), pin.sourceSnapshotId(), vector, false,
        false, reason + " (drill: the sandbox index before its fault)", actor));
    IndexName name = IndexName.of(index.schema(), index.name());
    try (Connection c = dataSource.getConnection()) {
      IndexBuild build = BuildRegistry.servingRecord(c, name).map(BuildRegistry.ServingRecord::buildId)
          .flatMap(id -> find(c, id)).orElseThrow(() -> new IllegalStateException("the sandbox index " + name
              + " does not serve a build after its build"));
      boolean quantized = pin.embeddingVersion().endsWith("-q"); // a model of the same kind: similar cost
      BuiltInModel other = Arrays.stream(BuiltInModel.values())
          .filter(m -> !m.versionName().equals(pin.embeddingVersion()) && m.version().dimension() == build.dimension())
          .min(java.util.Comparator.comparing(m -> m.versionName().endsWith("-q") != quantized)).orElseThrow(() -> new BadInputException("--inject mixed-embeddings: no built-in model other"
              + " than " + pin.embeddingVersion() + " has dimension " + build.dimension()));
      Map<String, String> texts = texts(index, pin.sourceSnapshotId(), Math.max(1, build.rows() == null ? 1
          : (int) Math.min(1000, build.rows() / 5)));
      List<String> ids = List.copyOf(texts.keySet());
      List<float[]> vectors;
      try (Embedder embedder = other.embedder(Runnable::run)) {
        vectors = embedder.embed(ids.stream().map(texts::get).toList());
      }
      try (PreparedStatement s = c.prepareStatement("UPDATE " + build.tableSql() + " SET embedding = ?::vector,"
          + " embedding_version = ? WHERE doc_id::text = ?")) {
        for (int i = 0; i < ids.size(); i++) {
          s.setString(1, literal(vectors.get(i)));
          s.setString(2, other.versionName());
          s.setString(3, ids.get(i));
          s.addBatch();
        }
        s.executeBatch();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot re-embed part of the sandbox index " + name + ": " + e.getMessage(), e);
    }
  }

  private static Optional<IndexBuild> find(Connection c, long id) {
    try {
      return BuildRegistry.find(c, id);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read build " + id + ": " + e.getMessage(), e);
    }
  }

  /** The first {@code limit} documents of the index's source at the pinned snapshot: id (as text) to text. */
  private Map<String, String> texts(IndexSpec index, long snapshot, int limit) {
    Table source = CatalogLoader.loadTable(catalog.getObject(), index.source());
    Map<String, String> texts = new LinkedHashMap<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(source).useSnapshot(snapshot)
        .select(index.idColumn(), index.textColumn()).build()) {
      for (Record record : records) {
        Object text = record.getField(index.textColumn());
        if (text != null && !text.toString().isBlank()) {
          texts.put(String.valueOf(record.getField(index.idColumn())), text.toString());
        }
        if (texts.size() == limit) {
          break;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + index.source() + " at snapshot " + snapshot, e);
    }
    return texts;
  }

  /** pgvector's text form: {@code [0.1,0.2,...]}. */
  private static String literal(float[] vector) {
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < vector.length; i++) {
      out.append(i == 0 ? "" : ",").append(vector[i]);
    }
    return out.append(']').toString();
  }
}
