package org.rollbackjobs.vector.embedding;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import java.util.ArrayList;
import java.util.List;

/** An in-process LangChain4j ONNX model; LangChain4j spreads a batch over its executor, one text per task. */
final class OnnxEmbedder implements Embedder {
  private final EmbeddingVersion version;
  private final EmbeddingModel model;

  OnnxEmbedder(EmbeddingVersion version, EmbeddingModel model) {
    this.version = version;
    this.model = model;
  }

  @Override
  public EmbeddingVersion version() {
    return version;
  }

  @Override
  public List<float[]> embed(List<String> texts) {
    if (texts.isEmpty()) {
      return List.of();
    }
    List<TextSegment> segments = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      if (text == null || text.isBlank()) {
        // LangChain4j refuses blank segments; an empty document has no meaningful embedding either
        throw new EmptyTextException(i);
      }
      segments.add(TextSegment.from(text));
    }
    List<Embedding> embeddings = model.embedAll(segments).content();
    List<float[]> vectors = new ArrayList<>(embeddings.size());
    for (Embedding e : embeddings) {
      float[] vector = e.vector();
      if (vector.length != version.dimension()) {
        throw new IllegalStateException("model " + version.name() + " returned " + vector.length
            + " values, its version pins " + version.dimension());
      }
      vectors.add(vector);
    }
    return vectors;
  }
}
