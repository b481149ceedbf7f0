package org.rollbackjobs.jobs.drill;

import org.rollbackjobs.jobs.system.SystemDefinition;

/**
 * A drill as asked for on the command line.
 *
 * @param toManifest a manifest id, {@code previous}, or null: previous when the system has two live manifests,
 *     else the latest
 * @param keep leave the sandbox for inspection instead of removing it
 */
public record DrillRequest(SystemDefinition system, String toManifest, String reason, String actor, Inject inject,
    boolean keep, boolean dryRun) {}
