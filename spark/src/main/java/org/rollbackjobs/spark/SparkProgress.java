package org.rollbackjobs.spark;

/**
 * How far the Spark query of a recompute is, as the Spark Connect server reports it: the stages seen so far
 * and their tasks.
 */
public record SparkProgress(int stages, int stagesDone, long tasks, long tasksDone, long bytesRead) {

  /** Told of each progress report; called on the thread that runs the recompute. */
  @FunctionalInterface
  public interface Listener {
    Listener NONE = progress -> {};

    void progress(SparkProgress progress);
  }

  @Override
  public String toString() {
    return "Spark stages " + stagesDone + "/" + stages + ", tasks " + tasksDone + "/" + tasks;
  }
}
