package org.rollbackjobs.vector.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.rollbackjobs.vector.embedding.Embedder;
import org.rollbackjobs.vector.source.Document;
import org.rollbackjobs.vector.source.DocumentCursor;
import org.rollbackjobs.vector.source.DocumentSource;

/**
 * Vector indexes made the way an application makes them, with plain SQL and no help from the suite: a table
 * {@code doc_id, embedding, embedding_version, title} with an HNSW index. Used to make the mixed-model state.
 */
public final class Legacy {
  private Legacy() {}

  /** Creates {@code schema.name} holding every document of {@code source} embedded by {@code embedder}. */
  public static void create(String schema, String name, DocumentSource source, Embedder embedder) {
    create(VectorDb.dataSource(), schema, name, source, embedder);
  }

  public static void create(DataSource db, String schema, String name, DocumentSource source, Embedder embedder) {
    execute(db, "CREATE TABLE " + schema + "." + name + " (doc_id bigint PRIMARY KEY,"
        + " embedding vector(" + embedder.version().dimension() + ") NOT NULL, embedding_version text NOT NULL,"
        + " title text)");
    List<Document> all = new ArrayList<>();
    try (DocumentCursor documents = source.open(0)) {
      documents.forEachRemaining(all::add);
    }
    write(db, schema, name, all, embedder, "INSERT INTO " + schema + "." + name
        + " (embedding, embedding_version, title, doc_id) VALUES (?::vector, ?, ?, ?)");
    execute(db, "CREATE INDEX ON " + schema + "." + name + " USING hnsw (embedding vector_cosine_ops)");
  }

  /** Re-embeds the given documents in place with another model: the mixed state nothing in the type reveals. */
  public static void reembed(String schema, String name, List<Document> documents, Embedder embedder) {
    reembed(VectorDb.dataSource(), schema, name, documents, embedder);
  }

  public static void reembed(DataSource db, String schema, String name, List<Document> documents, Embedder embedder) {
    write(db, schema, name, documents, embedder, "UPDATE " + schema + "." + name
        + " SET embedding = ?::vector, embedding_version = ?, title = ? WHERE doc_id = ?");
  }

  private static void execute(DataSource db, String sql) {
    try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void write(DataSource db, String schema, String name, List<Document> documents, Embedder embedder,
      String sql) {
    try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
      c.setAutoCommit(false);
      for (int from = 0; from < documents.size(); from += 256) {
        List<Document> batch = documents.subList(from, Math.min(documents.size(), from + 256));
        List<float[]> vectors = embedder.embed(batch.stream().map(Document::text).toList());
        for (int i = 0; i < batch.size(); i++) {
          s.setString(1, VectorDb.literal(vectors.get(i)));
          s.setString(2, embedder.version().name());
          s.setString(3, batch.get(i).text().substring(0, Math.min(20, batch.get(i).text().length())));
          s.setLong(4, (Long) batch.get(i).id());
          s.addBatch();
        }
        s.executeBatch();
      }
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Top-k doc ids for a query vector through {@code relation}, through its ANN index or by exact search. */
  public static List<Long> nearest(String relation, float[] query, int k, boolean exact) {
    return nearest(VectorDb.dataSource(), relation, query, k, exact);
  }

  public static List<Long> nearest(DataSource db, String relation, float[] query, int k, boolean exact) {
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute(exact ? "SET LOCAL enable_indexscan = off" : "SET LOCAL enable_seqscan = off");
      }
      List<Long> ids = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement("SELECT doc_id FROM " + relation
          + " ORDER BY embedding <=> ?::vector LIMIT ?")) {
        s.setString(1, VectorDb.literal(query));
        s.setInt(2, k);
        try (var rs = s.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getLong(1));
          }
        }
      }
      c.rollback();
      return ids;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
