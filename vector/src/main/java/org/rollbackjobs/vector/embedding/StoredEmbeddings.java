package org.rollbackjobs.vector.embedding;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.SnapshotUtil;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.snapshot.SnapshotResolver;
import org.rollbackjobs.iceberg.snapshot.SnapshotTarget;
import org.rollbackjobs.vector.source.Document;

/**
 * Vectors already computed for a version, read from an Iceberg table with columns {@code doc_id},
 * {@code embedding_version} and {@code embedding} ({@code list<float>}) at a pinned snapshot: a rebuild from
 * them needs no model. Only the rows of this version are used.
 *
 * <p>The rows are read once and spooled to a temporary file; the heap keeps only the id-to-position map, so
 * memory does not grow with the dimension. A document without a stored vector fails the batch that needs it.
 */
public final class StoredEmbeddings implements VectorSource {
  public static final String DOC_ID = "doc_id";
  public static final String VERSION = "embedding_version";
  public static final String EMBEDDING = "embedding";

  private final Table table;
  private final Snapshot snapshot;
  private final EmbeddingVersion version;
  private Map<String, Integer> slots;
  private Path spool;
  private FileChannel channel;

  private StoredEmbeddings(Table table, Snapshot snapshot, EmbeddingVersion version) {
    this.table = table;
    this.snapshot = snapshot;
    this.version = version;
  }

  /** Checks the table, snapshot and columns; reads nothing yet. */
  public static StoredEmbeddings of(Table table, Long snapshotId, EmbeddingVersion version) {
    Snapshot snapshot = snapshotId == null ? table.currentSnapshot()
        : SnapshotResolver.resolve(table, SnapshotTarget.id(snapshotId));
    if (snapshot == null) {
      throw new BadInputException("stored embeddings table " + table.name() + " has no snapshot yet");
    }
    Schema schema = SnapshotUtil.schemaFor(table, snapshot.snapshotId());
    Types.NestedField id = schema.findField(DOC_ID);
    Types.NestedField versionColumn = schema.findField(VERSION);
    Types.NestedField embedding = schema.findField(EMBEDDING);
    boolean listOfFloats = embedding != null && embedding.type().isListType()
        && (embedding.type().asListType().elementType().typeId() == Type.TypeID.FLOAT
            || embedding.type().asListType().elementType().typeId() == Type.TypeID.DOUBLE);
    if (id == null || versionColumn == null || versionColumn.type().typeId() != Type.TypeID.STRING || !listOfFloats) {
      throw new BadInputException("stored embeddings table " + table.name() + " needs columns " + DOC_ID + ", "
          + VERSION + " (string) and " + EMBEDDING + " (list<float>); it has: "
          + schema.columns().stream().map(f -> f.name() + " (" + f.type() + ")").collect(Collectors.joining(", ")));
    }
    return new StoredEmbeddings(table, snapshot, version);
  }

  @Override
  public EmbeddingVersion version() {
    return version;
  }

  @Override
  public String describe() {
    return "stored " + table.name() + "@" + snapshot.snapshotId();
  }

  public Long snapshotId() {
    return snapshot.snapshotId();
  }

  @Override
  public synchronized List<float[]> vectorsFor(List<Document> documents) {
    if (slots == null) {
      spool();
    }
    int dimension = version.dimension();
    List<float[]> vectors = new ArrayList<>(documents.size());
    ByteBuffer buffer = ByteBuffer.allocate(dimension * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (Document document : documents) {
      Integer slot = slots.get(String.valueOf(document.id()));
      if (slot == null) {
        throw new IllegalStateException("stored embeddings " + describe() + " hold no vector of version "
            + version.name() + " for document " + document.id());
      }
      buffer.clear();
      try {
        long position = (long) slot * dimension * Float.BYTES;
        while (buffer.hasRemaining()) {
          if (channel.read(buffer, position + buffer.position()) < 0) {
            throw new IOException("spool file ended early");
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      buffer.flip();
      float[] vector = new float[dimension];
      buffer.asFloatBuffer().get(vector);
      vectors.add(vector);
    }
    return vectors;
  }

  private void spool() {
    Map<String, Integer> ids = new HashMap<>();
    int dimension = version.dimension();
    try {
      spool = Files.createTempFile("stored-embeddings-", ".f32");
      channel = FileChannel.open(spool, StandardOpenOption.READ, StandardOpenOption.WRITE,
          StandardOpenOption.DELETE_ON_CLOSE);
      ByteBuffer buffer = ByteBuffer.allocate(dimension * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      long position = 0;
      try (CloseableIterable<Record> rows = IcebergGenerics.read(table).useSnapshot(snapshot.snapshotId())
          .select(DOC_ID, EMBEDDING).where(Expressions.equal(VERSION, version.name())).build()) {
        for (Record row : rows) {
          String id = String.valueOf(row.getField(DOC_ID));
          List<?> values = (List<?>) row.getField(EMBEDDING);
          if (values == null || values.size() != dimension) {
            throw new IllegalStateException("stored embeddings " + describe() + ": the vector of document " + id
                + " has " + (values == null ? 0 : values.size()) + " values; version " + version.name()
                + " has " + dimension);
          }
          if (ids.putIfAbsent(id, ids.size()) != null) {
            throw new IllegalStateException("stored embeddings " + describe() + " hold two vectors of version "
                + version.name() + " for document " + id);
          }
          buffer.clear();
          for (Object value : values) {
            buffer.putFloat(((Number) value).floatValue());
          }
          buffer.flip();
          while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot spool stored embeddings " + describe(), e);
    }
    slots = ids;
  }

  @Override
  public synchronized void close() {
    try {
      if (channel != null) {
        channel.close();
      }
      if (spool != null) {
        Files.deleteIfExists(spool);
      }
    } catch (IOException e) {
      // a temporary file: best effort
    }
  }
}
