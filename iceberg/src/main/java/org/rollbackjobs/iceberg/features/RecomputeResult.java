package org.rollbackjobs.iceberg.features;

import java.time.Duration;

/**
 * The outcome of a recompute.
 *
 * @param snapshotId the feature table's snapshot holding the result (its current snapshot when nothing changed)
 * @param changed false when the feature table was already up to date
 * @param rowsRead source rows read (after delete files)
 * @param rowsWritten feature rows in the committed data files
 * @param spills spill rounds of the map side (more than one per map partition: keys did not fit in memory)
 */
public record RecomputeResult(RecomputePlan plan, long snapshotId, boolean changed, long rowsRead, long rowsWritten,
    int dataFiles, int spills, Duration duration) {}
