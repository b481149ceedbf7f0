package org.rollbackjobs.vector.embedding;

/** A text of a batch is empty or blank: there is nothing to embed. Callers name the document. */
public class EmptyTextException extends IllegalArgumentException {
  private final int index;

  public EmptyTextException(int index) {
    super("text " + index + " of the batch is empty or blank; it cannot be embedded");
    this.index = index;
  }

  /** Position of the empty text in the batch. */
  public int index() {
    return index;
  }
}
