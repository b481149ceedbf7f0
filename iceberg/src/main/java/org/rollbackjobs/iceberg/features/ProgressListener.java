package org.rollbackjobs.iceberg.features;

/** Told how many more source rows were read; called from worker threads. */
@FunctionalInterface
public interface ProgressListener {
  ProgressListener NONE = rows -> {};

  void rowsRead(long rows);
}
