package org.rollbackjobs.vector.index;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.rollbackjobs.vector.source.Document;

/**
 * Appends rows to a build table with one binary {@code COPY ... FROM STDIN (FORMAT binary)} per batch, through
 * pgjdbc's CopyManager on the caller's connection (so the rows commit with the caller's transaction; the job
 * commits them together with the reader's position). Every row records the document id, its vector, the pinned
 * embedding version, the source snapshot and the SHA-256 of the text it embeds.
 */
public final class VectorCopyLoader {
  public static final String COLUMNS = "doc_id, embedding, embedding_version, source_snapshot, content_hash";
  private static final int WRITE_BLOCK = 1 << 16;

  private final IndexBuild build;
  private final byte[] version;
  private final String copySql;

  public VectorCopyLoader(IndexBuild build) {
    this.build = build;
    this.version = build.embeddingVersion().getBytes(StandardCharsets.UTF_8);
    this.copySql = "COPY " + build.tableSql() + " (" + COLUMNS + ") FROM STDIN (FORMAT binary)";
  }

  /**
   * Loads one batch; returns the rows written. Does not commit. The caller's transaction commits asynchronously
   * ({@code synchronous_commit = off} for it alone): a chunk is committed together with whatever records how far
   * the load got, so a server crash can only lose a tail of chunks and their position together, and the load
   * resumes before them; the next synchronous commit (the end of the step) makes all of them durable.
   */
  public long load(Connection connection, List<Document> documents, List<float[]> vectors) throws SQLException {
    if (documents.size() != vectors.size()) {
      throw new IllegalArgumentException(documents.size() + " documents but " + vectors.size() + " vectors");
    }
    if (documents.isEmpty()) {
      return 0;
    }
    if (!connection.getAutoCommit()) {
      try (Statement s = connection.createStatement()) {
        s.execute("SET LOCAL synchronous_commit = off");
      }
    }
    // rows are encoded into a small buffer and sent as it fills: the server parses while the next rows are encoded
    CopyIn in = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
    try {
      BinaryCopy rows = new BinaryCopy(WRITE_BLOCK + 4 * build.dimension() + 1024);
      encode(documents, vectors, rows, in::writeToCopy);
      rows.endTo(in::writeToCopy);
      return in.endCopy();
    } finally {
      if (in.isActive()) {
        in.cancelCopy();
      }
    }
  }

  /** The binary COPY stream of a batch, all at once (for comparisons and tests). */
  public byte[] encode(List<Document> documents, List<float[]> vectors) {
    BinaryCopy rows = new BinaryCopy(documents.size() * (4 * build.dimension() + 160));
    try {
      encode(documents, vectors, rows, null);
    } catch (SQLException e) {
      throw new IllegalStateException(e); // no sink: nothing is written anywhere
    }
    return rows.finish();
  }

  /** Encodes the rows into {@code rows}, flushing to {@code sink} (when not null) whenever a block is full. */
  private void encode(List<Document> documents, List<float[]> vectors, BinaryCopy rows, BinaryCopy.Sink sink)
      throws SQLException {
    MessageDigest sha256 = sha256();
    HexFormat hex = HexFormat.of();
    int dimension = build.dimension();
    for (int i = 0; i < documents.size(); i++) {
      Document document = documents.get(i);
      float[] vector = vectors.get(i);
      if (vector.length != dimension) {
        throw new IllegalStateException("document " + document.id() + " got a vector of " + vector.length
            + " values; build " + build.id() + " holds " + dimension);
      }
      byte[] contentHash = contentHash(sha256, hex, document.text());
      rows.startRow(5)
          .id(build.docIdType().normalize(document.id()), build.docIdType())
          .vector(vector)
          .text(version)
          .int8(build.sourceSnapshot())
          .text(contentHash);
      if (sink != null && rows.size() >= WRITE_BLOCK) {
        rows.flushTo(sink);
      }
    }
  }

  /** Sends a complete binary COPY stream; returns the rows the server counted. */
  public static long copy(Connection connection, String copySql, byte[] stream) throws SQLException {
    CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
    CopyIn in = copy.copyIn(copySql);
    try {
      for (int off = 0; off < stream.length; off += WRITE_BLOCK) {
        in.writeToCopy(stream, off, Math.min(WRITE_BLOCK, stream.length - off));
      }
      return in.endCopy();
    } finally {
      if (in.isActive()) {
        in.cancelCopy();
      }
    }
  }

  /**
   * The content hash every row records: the SHA-256 of the text's UTF-8 bytes (no text: of nothing), in lower-case
   * hex, as ASCII bytes ready for a COPY field. {@code sha256} is reused (and reset) across calls.
   */
  public static byte[] contentHash(MessageDigest sha256, HexFormat hex, String text) {
    byte[] utf8 = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
    return hex.formatHex(sha256.digest(utf8)).getBytes(StandardCharsets.US_ASCII);
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
