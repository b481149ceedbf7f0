package org.rollbackjobs.vector.index;

import java.time.Duration;

/**
 * Rows loaded by the library's loader and where the time went: taking cached vectors (inside PostgreSQL),
 * computing vectors, or COPY into the table.
 *
 * @param rows every row the build holds after the load, reused ones included
 * @param reused the rows whose vectors came from the embedding cache
 * @param reuse the time taking them, of which {@code reuseKeys} reading the documents and sending their hashes
 */
public record LoadStats(long rows, Duration vectors, Duration copy, Duration total, long reused, Duration reuse,
    Duration reuseKeys) {

  /** The rows whose vectors were computed by this load. */
  public long computed() {
    return rows - reused;
  }
}
