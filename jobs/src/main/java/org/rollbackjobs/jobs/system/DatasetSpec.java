package org.rollbackjobs.jobs.system;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A dataset of a system: an Iceberg table restored by time travel. */
public record DatasetSpec(@JsonProperty(value = "table", required = true) String table) {
  public DatasetSpec {
    Specs.table("table", table);
  }
}
