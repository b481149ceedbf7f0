package org.rollbackjobs.vector.embedding;

import java.util.List;
import org.rollbackjobs.vector.source.Document;

/**
 * Where the vectors of a build come from, a batch of documents at a time: an {@link Embedder} over their texts,
 * or vectors already computed for the version ({@link StoredEmbeddings}), which needs no model at all.
 */
public interface VectorSource extends AutoCloseable {

  EmbeddingVersion version();

  /** One vector per document, in order. */
  List<float[]> vectorsFor(List<Document> documents);

  /** For plans: {@code model all-minilm-l6-v2} or {@code stored ns.table@snapshot}. */
  String describe();

  @Override
  default void close() {}

  static VectorSource embedding(Embedder embedder) {
    return new EmbedderVectors(embedder);
  }
}
