package org.rollbackjobs.jobs.index;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import javax.sql.DataSource;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.jobs.system.Sandbox;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.jobs.config.VectorProperties;
import org.rollbackjobs.vector.embedding.EmbeddingCache;
import org.rollbackjobs.vector.embedding.EmbeddingVersion;
import org.rollbackjobs.vector.embedding.StoredEmbeddings;
import org.rollbackjobs.vector.embedding.VectorSource;
import org.rollbackjobs.vector.embedding.VersionCatalog;
import org.rollbackjobs.vector.index.IndexRebuild;
import org.rollbackjobs.vector.source.DocumentSource;
import org.rollbackjobs.vector.source.IcebergDocumentSource;
import org.rollbackjobs.vector.source.PostgresQueryDocumentSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/** Turns a {@link RebuildIndexRequest} into the vector library's pending rebuild, its documents and its vectors. */
@Component
public class RebuildIndexFactory {
  private final ObjectProvider<Catalog> catalog;
  private final DataSource dataSource;
  private final ObjectProvider<VersionCatalog> versions;
  private final ObjectProvider<ExecutorService> embeddingExecutor;
  private final VectorProperties properties;

  public RebuildIndexFactory(ObjectProvider<Catalog> catalog, DataSource dataSource,
      ObjectProvider<VersionCatalog> versions, ObjectProvider<ExecutorService> embeddingExecutor,
      VectorProperties properties) {
    this.properties = properties;
    this.catalog = catalog;
    this.dataSource = dataSource;
    this.versions = versions;
    this.embeddingExecutor = embeddingExecutor;
  }

  public VectorProperties properties() {
    return properties;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /** The pinned version named in the request (not registered yet: planning changes nothing). */
  public EmbeddingVersion version(RebuildIndexRequest request) {
    try (Connection c = dataSource.getConnection()) {
      return versions.getObject().lookup(c, request.embedding());
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the embedding registry: " + e.getMessage(), e);
    }
  }

  public DocumentSource documents(RebuildIndexRequest request) {
    if (request.sourceTable() != null) {
      Table table = CatalogLoader.loadTable(catalog.getObject(), request.sourceTable());
      return IcebergDocumentSource.of(table, request.sourceSnapshot(), request.idColumn(), request.textColumn());
    }
    return PostgresQueryDocumentSource.of(dataSource, request.sourceQuery(), request.idColumn(), request.textColumn());
  }

  /** Where the vectors come from: stored embeddings when the request names a table, else the version's model. */
  public VectorSource vectors(RebuildIndexRequest request, EmbeddingVersion version) {
    if (request.storedEmbeddings() != null) {
      Table table = CatalogLoader.loadTable(catalog.getObject(), request.storedEmbeddings());
      return StoredEmbeddings.of(table, request.storedSnapshot(), version);
    }
    VersionCatalog catalogOfVersions = versions.getObject();
    if (!catalogOfVersions.hasModel(version.name())) {
      throw new BadInputException("no model for embedding version '" + version.name() + "' runs here; give"
          + " --stored-embeddings NS.TABLE with its vectors, or configure it under rollback.vector.remote-models");
    }
    return VectorSource.embedding(catalogOfVersions.embedder(version, embeddingExecutor.getObject()));
  }

  /**
   * Checks, without loading a model, that the request's vectors can be produced; returns where they will come from
   * ({@code model NAME} or {@code stored TABLE@SNAPSHOT}).
   */
  public String checkVectors(RebuildIndexRequest request, EmbeddingVersion version) {
    if (request.storedEmbeddings() != null) {
      try (StoredEmbeddings stored = StoredEmbeddings.of(
          CatalogLoader.loadTable(catalog.getObject(), request.storedEmbeddings()), request.storedSnapshot(), version)) {
        return stored.describe();
      }
    }
    if (!versions.getObject().hasModel(version.name())) {
      throw new BadInputException("no model for embedding version '" + version.name() + "' runs here; give"
          + " --stored-embeddings NS.TABLE with its vectors, or configure it under rollback.vector.remote-models");
    }
    return "model " + version.name();
  }

  /** The snapshot stored embeddings would be read at (their table's current one when not given), or null. */
  public Long storedSnapshot(RebuildIndexRequest request) {
    if (request.storedEmbeddings() == null) {
      return null;
    }
    if (request.storedSnapshot() != null) {
      return request.storedSnapshot();
    }
    Table table = CatalogLoader.loadTable(catalog.getObject(), request.storedEmbeddings());
    return table.currentSnapshot() == null ? null : table.currentSnapshot().snapshotId();
  }

  /** The pending rebuild of the request, without vectors (enough to plan and to run every stage but the load). */
  public IndexRebuild rebuild(RebuildIndexRequest request, EmbeddingVersion version, DocumentSource documents) {
    return IndexRebuild.of(dataSource)
        .index(request.indexName())
        .version(version)
        .source(documents)
        .ann(request.ann())
        .probe(request.probe())
        .coolDown(request.coolDown())
        .createIfMissing(request.create())
        .overrideQuarantine(request.overrideQuarantine())
        .force(request.force())
        .reuse(request.reuse())
        .keepVersionStatus(Sandbox.holds(request.indexName()))
        .batchSize(request.chunkSize())
        .lockTimeout(properties.lockTimeout())
        .versions(versions.getObject())
        .reason(request.reason())
        .actor(request.actor());
  }

  /**
   * Expires the embedding cache ({@code rollback.vector.cache.keep}), keeping the versions that a live (not
   * retired) manifest pins; returns the vectors deleted.
   */
  public long expireCache() {
    try (Connection c = dataSource.getConnection()) {
      List<String> pinned = new ArrayList<>();
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT DISTINCT"
          + " i->>'embedding-version' FROM rollback.manifests m, jsonb_array_elements(m.content->'indexes') i"
          + " WHERE m.retired_at IS NULL AND i->>'embedding-version' IS NOT NULL")) {
        while (rs.next()) {
          pinned.add(rs.getString(1));
        }
      }
      return EmbeddingCache.expire(c, properties.cache().keep(), pinned);
    } catch (SQLException e) {
      throw new IllegalStateException("expiring the embedding cache failed: " + e.getMessage(), e);
    }
  }

  public IndexRebuild rebuild(RebuildIndexRequest request) {
    return rebuild(request, version(request), documents(request));
  }
}
