package org.rollbackjobs.vector.embedding;

import java.time.Instant;

/**
 * A rebuild (or switch) to a quarantined embedding version was asked for without overriding the quarantine.
 * Raised before anything changes; command lines map it to exit code 4 (refused by a guard).
 */
public class QuarantinedVersionException extends RuntimeException {
  public QuarantinedVersionException(String version, String reason, Instant since) {
    super("embedding version '" + version + "' is quarantined" + (since == null ? "" : " since " + since)
        + (reason == null ? "" : " (" + reason + ")") + "; give --override-quarantine to use it anyway");
  }
}
