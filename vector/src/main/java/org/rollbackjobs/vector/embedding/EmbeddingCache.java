package org.rollbackjobs.vector.embedding;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.rollbackjobs.vector.index.BinaryCopy;
import org.rollbackjobs.vector.index.BuildTable;
import org.rollbackjobs.vector.index.IndexBuild;
import org.rollbackjobs.vector.index.VectorCopyLoader;
import org.rollbackjobs.vector.source.DocIdType;
import org.rollbackjobs.vector.source.Document;
import org.rollbackjobs.vector.source.DocumentCursor;
import org.rollbackjobs.vector.source.DocumentSource;

/**
 * Vectors computed once, reused by every later build of the same embedding version over the same texts (table
 * {@code rollback.embedding_cache}, keyed by version name and content hash). A version name always means one pin
 * (the registry refuses a known name with another pin), and a content hash is the SHA-256 of the embedded text,
 * so a cached vector is bit for bit the one the model gives for that text: {@code vector} stores the model's
 * float4 values as they are. Vectors of another version, of the same dimension or not, are never taken.
 *
 * <p>The work happens inside PostgreSQL: the JVM sends document ids and content hashes (one binary COPY), the
 * vectors go from table to table by {@code INSERT ... SELECT}, never through the JVM.
 */
public final class EmbeddingCache {
  private static final String TABLE = "rollback.embedding_cache";
  private static final int PLAN_BATCH = 10_000;

  private EmbeddingCache() {}

  /**
   * What {@link #reuse} did; {@code keys} the part of its time spent reading the documents, hashing their texts
   * and sending the hashes (zero for plans), the rest moved vectors.
   */
  public record Reuse(long documents, long reused, long toEmbed, Duration keys) {
    public Reuse(long documents, long reused, long toEmbed) {
      this(documents, reused, toEmbed, Duration.ZERO);
    }
  }

  /** Rows and size of the cache per version, for {@code status}. */
  public record VersionStats(String version, long vectors, long bytes) {}

  /**
   * Adds the vectors of a loaded build (its model computed them) that are not cached yet, in one statement. Every
   * build made by a model does this when its load ends, so every kept build's vectors are in the cache. Not for
   * builds made from stored embeddings: those vectors are not known to be the model's own.
   */
  public static long fill(Connection c, IndexBuild build) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO " + TABLE
        + " (embedding_version, content_hash, embedding) SELECT DISTINCT ON (content_hash) embedding_version,"
        + " content_hash, embedding::vector FROM " + build.tableSql() + " WHERE embedding_version = ?"
        + " ON CONFLICT (embedding_version, content_hash) DO NOTHING")) {
      s.setString(1, build.embeddingVersion());
      return s.executeUpdate();
    }
  }

  /**
   * Loads into {@code build} (empty, just created) the cached vector of every document of {@code source} whose
   * text has one for the build's version, in one transaction on {@code c} (the caller commits). Kept builds of
   * the same version are in the cache already ({@link #fill}). Creates the build's doc_id index when anything was
   * reused: the load then skips those documents ({@link #missing}).
   */
  public static Reuse reuse(Connection c, IndexBuild build, DocumentSource source) throws SQLException {
    long start = System.nanoTime();
    long documents = stageKeys(c, build, source);
    Duration keys = Duration.ofNanos(System.nanoTime() - start);
    long reused;
    try (PreparedStatement s = c.prepareStatement("WITH hits AS (INSERT INTO " + build.tableSql()
        + " (" + VectorCopyLoader.COLUMNS + ") SELECT k.doc_id, e.embedding, e.embedding_version, ?, k.content_hash"
        + " FROM reuse_keys k JOIN " + TABLE + " e ON e.embedding_version = ? AND e.content_hash = k.content_hash"
        + " RETURNING content_hash)"
        // marked used at most once a day: a vector row is rewritten whole when any column changes
        + " UPDATE " + TABLE + " e SET used_at = now() FROM (SELECT DISTINCT content_hash FROM hits) h"
        + " WHERE e.embedding_version = ? AND e.content_hash = h.content_hash AND e.used_at < now() - interval '1 day'")) {
      if (build.sourceSnapshot() == null) {
        s.setNull(1, java.sql.Types.BIGINT);
      } else {
        s.setLong(1, build.sourceSnapshot());
      }
      s.setString(2, build.embeddingVersion());
      s.setString(3, build.embeddingVersion());
      s.executeUpdate();
    }
    reused = BuildTable.rows(c, build);
    try (Statement s = c.createStatement()) {
      s.execute("DROP TABLE reuse_keys");
      if (reused > 0) {
        s.execute(BuildTable.idIndexSql(build));
      }
    }
    return new Reuse(documents, reused, documents - reused, keys);
  }

  /** The documents of a batch that the build does not hold yet (the others were reused), in order. */
  public static List<Document> missing(Connection c, IndexBuild build, List<Document> batch) throws SQLException {
    DocIdType type = build.docIdType();
    Set<Object> present = new HashSet<>();
    try (PreparedStatement s = c.prepareStatement("SELECT doc_id FROM " + build.tableSql()
        + " WHERE doc_id = ANY(?)")) {
      s.setArray(1, c.createArrayOf(type.arrayElementSql(),
          batch.stream().map(d -> type.normalize(d.id())).toArray()));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          present.add(type.normalize(rs.getObject(1)));
        }
      }
    }
    return present.isEmpty() ? batch
        : batch.stream().filter(d -> !present.contains(type.normalize(d.id()))).toList();
  }

  /**
   * For plans, changing nothing: how many documents of {@code source} have a cached vector of {@code version}
   * (reads the documents once, sends their hashes in batches).
   */
  public static Reuse reusable(Connection c, String version, DocumentSource source) throws SQLException {
    MessageDigest sha256 = VectorCopyLoader.sha256();
    HexFormat hex = HexFormat.of();
    long documents = 0;
    long reusable = 0;
    List<String> batch = new ArrayList<>(PLAN_BATCH);
    try (DocumentCursor cursor = source.open(0);
        PreparedStatement s = c.prepareStatement("SELECT count(*) FROM unnest(?::text[]) h (content_hash)"
            + " JOIN " + TABLE + " e ON e.embedding_version = ? AND e.content_hash = h.content_hash")) {
      s.setString(2, version);
      while (true) {
        boolean more = cursor.hasNext();
        if (more) {
          batch.add(new String(VectorCopyLoader.contentHash(sha256, hex, cursor.next().text()),
              StandardCharsets.US_ASCII));
          documents++;
        }
        if (batch.size() == PLAN_BATCH || (!more && !batch.isEmpty())) {
          s.setArray(1, c.createArrayOf("text", batch.toArray()));
          try (ResultSet rs = s.executeQuery()) {
            rs.next();
            reusable += rs.getLong(1);
          }
          batch.clear();
        }
        if (!more) {
          break;
        }
      }
    } catch (SQLException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new SQLException("reading documents to count reusable vectors: " + e.getMessage(), e);
    }
    return new Reuse(documents, reusable, documents - reusable);
  }

  /**
   * Deletes the vectors not used for {@code keep}, except those of the versions in {@code kept} (the versions a
   * live manifest pins) and of versions that a build not retired still holds. Returns the rows deleted.
   */
  public static long expire(Connection c, Duration keep, Collection<String> kept) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("DELETE FROM " + TABLE
        + " WHERE used_at < now() - make_interval(secs => ?) AND NOT (embedding_version = ANY(?))"
        + " AND embedding_version NOT IN (SELECT embedding_version FROM rollback.index_builds"
        + " WHERE status <> 'retired' AND embedding_version IS NOT NULL)")) {
      s.setDouble(1, keep.toMillis() / 1000.0);
      s.setArray(2, c.createArrayOf("text", kept.toArray()));
      return s.executeUpdate();
    }
  }

  public static List<VersionStats> stats(Connection c) throws SQLException {
    List<VersionStats> stats = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT embedding_version, count(*),"
        + " coalesce(sum(pg_column_size(embedding) + pg_column_size(content_hash)), 0) FROM " + TABLE
        + " GROUP BY embedding_version ORDER BY embedding_version")) {
      while (rs.next()) {
        stats.add(new VersionStats(rs.getString(1), rs.getLong(2), rs.getLong(3)));
      }
    }
    return stats;
  }

  /** The content hash of a text, as rows and the cache record it (SHA-256, lower-case hex). */
  public static String contentHash(String text) {
    return new String(VectorCopyLoader.contentHash(VectorCopyLoader.sha256(), HexFormat.of(), text),
        StandardCharsets.US_ASCII);
  }

  /** A temporary table {@code reuse_keys (doc_id, content_hash)} of every document, sent with one binary COPY. */
  private static long stageKeys(Connection c, IndexBuild build, DocumentSource source) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TEMP TABLE reuse_keys (doc_id " + build.docIdType().sql() + " NOT NULL,"
          + " content_hash text NOT NULL)");
    }
    MessageDigest sha256 = VectorCopyLoader.sha256();
    HexFormat hex = HexFormat.of();
    long documents = 0;
    CopyIn in = c.unwrap(PGConnection.class).getCopyAPI()
        .copyIn("COPY reuse_keys (doc_id, content_hash) FROM STDIN (FORMAT binary)");
    try (DocumentCursor cursor = source.open(0)) {
      BinaryCopy rows = new BinaryCopy(1 << 16);
      while (cursor.hasNext()) {
        Document document = cursor.next();
        rows.startRow(2)
            .id(build.docIdType().normalize(document.id()), build.docIdType())
            .text(VectorCopyLoader.contentHash(sha256, hex, document.text()));
        documents++;
        if (rows.size() >= 1 << 15) {
          rows.flushTo(in::writeToCopy);
        }
      }
      rows.endTo(in::writeToCopy);
      in.endCopy();
    } catch (Exception e) {
      throw e instanceof SQLException sql ? sql : new SQLException("reading documents for reuse: " + e.getMessage(), e);
    } finally {
      if (in.isActive()) {
        in.cancelCopy();
      }
    }
    return documents;
  }
}
