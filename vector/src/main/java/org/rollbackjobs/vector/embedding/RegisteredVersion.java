package org.rollbackjobs.vector.embedding;

import java.time.Instant;

/**
 * A version as the registry knows it, with its status: {@code registered} (known, never served),
 * {@code active} (serving an index), {@code previous} (replaced), {@code quarantined} (rolled back from; a
 * rebuild to it is refused unless overridden).
 */
public record RegisteredVersion(
    EmbeddingVersion version,
    String status,
    String statusReason,
    Instant statusChangedAt,
    Long quarantinedByBuild,
    Instant registeredAt) {

  public static final String REGISTERED = "registered";
  public static final String ACTIVE = "active";
  public static final String PREVIOUS = "previous";
  public static final String QUARANTINED = "quarantined";

  public boolean quarantined() {
    return QUARANTINED.equals(status);
  }
}
