package org.rollbackjobs.jobs.rollback;

import org.rollbackjobs.jobs.launch.Attempt;
import org.rollbackjobs.jobs.system.SystemDefinition;

/**
 * A rollback as asked for on the command line.
 *
 * @param toManifest a manifest id, or {@code previous}
 */
public record RollbackRequest(SystemDefinition system, String toManifest, String reason, String actor,
    boolean dryRun, boolean overrideQuarantine) {

  public static final String PREVIOUS = "previous";

  Attempt attempt() {
    return new Attempt("rollback", system.name(), actor, reason);
  }
}
