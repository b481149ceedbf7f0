package org.rollbackjobs.vector.embedding;

/** A remote embedding endpoint refused a request, answered nonsense, or kept failing after the retries. */
public class EmbeddingEndpointException extends RuntimeException {
  public EmbeddingEndpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
