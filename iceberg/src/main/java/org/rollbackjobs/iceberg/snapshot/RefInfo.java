package org.rollbackjobs.iceberg.snapshot;

/** A tag or branch of a table. */
public record RefInfo(String name, String type, long snapshotId) {}
