package org.rollbackjobs.spark;

/** The Spark side of a recompute failed, was cancelled or could not be reached; nothing was committed. */
public class SparkQueryFailedException extends RuntimeException {
  public SparkQueryFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
