package org.rollbackjobs.jobs.features;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.rollbackjobs.iceberg.BadInputException;

/** Where a recompute computes: in the job's JVM, or on Spark (through Spark Connect). */
public enum RecomputeEngine {
  EMBEDDED,
  SPARK;

  /** The engine's name in options, properties, system files, job parameters and JSON. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The engine named {@code value}; {@code field} names where it came from, for the message. */
  public static RecomputeEngine of(String field, String value) {
    for (RecomputeEngine engine : values()) {
      if (engine.id().equals(value)) {
        return engine;
      }
    }
    throw new BadInputException(field + " " + BadInputException.shown(value) + " is not an engine; valid: "
        + Arrays.stream(values()).map(RecomputeEngine::id).collect(Collectors.joining(", ")));
  }
}
