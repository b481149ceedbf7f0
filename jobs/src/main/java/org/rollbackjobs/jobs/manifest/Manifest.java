package org.rollbackjobs.jobs.manifest;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A stored manifest: immutable content plus who captured it, why, and (when captured with
 * {@code --allow-inconsistent}) the findings it was captured despite.
 */
public record Manifest(long id, String system, Instant createdAt, String actor, String reason,
    String systemFileSha256, boolean inconsistent, List<Map<String, Object>> findings, Long jobExecutionId,
    Instant retiredAt, String retiredReason, ManifestContent content) {

  public boolean retired() {
    return retiredAt != null;
  }

  /** The tag name of this manifest on every pinned snapshot. */
  public static String tagName(String system, long id) {
    return "manifest-" + system + "-" + id;
  }
}
