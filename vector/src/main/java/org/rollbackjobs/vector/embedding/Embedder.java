package org.rollbackjobs.vector.embedding;

import java.util.List;

/**
 * Turns texts into vectors of one pinned embedding version, a batch at a time. Implementations may use every
 * core for a batch; callers keep batches bounded so that memory stays flat.
 */
public interface Embedder extends AutoCloseable {

  EmbeddingVersion version();

  /** One vector per text, in order, each of {@code version().dimension()} values. */
  List<float[]> embed(List<String> texts);

  @Override
  default void close() {}
}
