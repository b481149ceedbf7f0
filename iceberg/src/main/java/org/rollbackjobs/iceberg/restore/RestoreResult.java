package org.rollbackjobs.iceberg.restore;

import java.time.Duration;

/**
 * The outcome of a restore.
 *
 * @param newCurrentSnapshotId the table's current snapshot afterwards
 * @param changed false when the table already was in the target state (or on a dry run)
 */
public record RestoreResult(RestorePlan plan, long newCurrentSnapshotId, boolean changed, Duration duration) {}
