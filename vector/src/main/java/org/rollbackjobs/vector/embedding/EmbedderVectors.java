package org.rollbackjobs.vector.embedding;

import java.util.ArrayList;
import java.util.List;
import org.rollbackjobs.vector.source.Document;

/** Vectors computed now by an embedder from the documents' texts. */
final class EmbedderVectors implements VectorSource {
  private final Embedder embedder;

  EmbedderVectors(Embedder embedder) {
    this.embedder = embedder;
  }

  @Override
  public EmbeddingVersion version() {
    return embedder.version();
  }

  @Override
  public List<float[]> vectorsFor(List<Document> documents) {
    List<String> texts = new ArrayList<>(documents.size());
    documents.forEach(d -> texts.add(d.text()));
    try {
      return embedder.embed(texts);
    } catch (EmptyTextException e) {
      throw new IllegalArgumentException("document " + documents.get(e.index()).id()
          + " has an empty text; it cannot be embedded (fix the source or leave the document out)", e);
    }
  }

  @Override
  public String describe() {
    return "model " + embedder.version().name();
  }

  @Override
  public void close() {
    embedder.close();
  }
}
