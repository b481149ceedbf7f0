package org.rollbackjobs.jobs.index;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.rollbackjobs.vector.embedding.EmbeddingCache;
import org.rollbackjobs.vector.embedding.VectorSource;
import org.rollbackjobs.vector.index.IndexBuild;
import org.rollbackjobs.vector.index.VectorCopyLoader;
import org.rollbackjobs.vector.source.Document;
import org.springframework.batch.item.Chunk;
import org.springframework.batch.item.ExecutionContext;
import org.springframework.batch.item.ItemStreamWriter;
import org.springframework.jdbc.datasource.DataSourceUtils;

/**
 * Computes the vectors of a chunk's documents that the build does not hold yet (all cores, one batch) and appends them to the build table with one binary
 * COPY on the chunk's own transactional connection: the rows commit together with the reader's position.
 */
class VectorChunkWriter implements ItemStreamWriter<Document> {
  private final DataSource dataSource;
  private final IndexBuild build;
  private final VectorSource vectors;
  private final VectorCopyLoader loader;
  private final boolean skipReused;

  /** {@code skipReused}: the build started with cached vectors; documents it already holds are skipped. */
  VectorChunkWriter(DataSource dataSource, IndexBuild build, VectorSource vectors, boolean skipReused) {
    this.dataSource = dataSource;
    this.build = build;
    this.vectors = vectors;
    this.loader = new VectorCopyLoader(build);
    this.skipReused = skipReused;
  }

  @Override
  public void write(Chunk<? extends Document> chunk) throws Exception {
    Connection connection = DataSourceUtils.getConnection(dataSource); // bound to the chunk's transaction
    try {
      List<Document> all = new ArrayList<>(chunk.getItems());
      List<Document> documents = skipReused ? EmbeddingCache.missing(connection, build, all) : all;
      if (documents.isEmpty()) {
        return;
      }
      List<float[]> computed = vectors.vectorsFor(documents);
      long rows = loader.load(connection, documents, computed);
      if (rows != documents.size()) {
        throw new IllegalStateException("COPY into build " + build.id() + " wrote " + rows + " rows for "
            + documents.size() + " documents");
      }
    } finally {
      DataSourceUtils.releaseConnection(connection, dataSource);
    }
  }

  @Override
  public void open(ExecutionContext context) {}

  @Override
  public void close() {
    vectors.close();
  }
}
