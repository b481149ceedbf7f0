package org.rollbackjobs.iceberg.snapshot;

import java.time.Instant;

/** What a restore points at: a snapshot id, the table as it was at an instant, or a tag. */
public sealed interface SnapshotTarget {

  /** Short text for plans, audit records and job parameters, for example {@code snapshot 42}. */
  String describe();

  record Id(long snapshotId) implements SnapshotTarget {
    @Override
    public String describe() {
      return "snapshot " + snapshotId;
    }
  }

  record AsOf(Instant instant) implements SnapshotTarget {
    @Override
    public String describe() {
      return "timestamp " + instant;
    }
  }

  record Tag(String name) implements SnapshotTarget {
    @Override
    public String describe() {
      return "tag " + name;
    }
  }

  static SnapshotTarget id(long snapshotId) {
    return new Id(snapshotId);
  }

  static SnapshotTarget asOf(Instant instant) {
    return new AsOf(instant);
  }

  static SnapshotTarget tag(String name) {
    return new Tag(name);
  }
}
