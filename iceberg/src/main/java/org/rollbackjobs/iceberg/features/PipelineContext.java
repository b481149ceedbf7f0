package org.rollbackjobs.iceberg.features;

import java.time.Instant;

/**
 * What a pipeline may depend on besides the rows: the pinned source snapshot. Trailing time windows end at
 * {@code asOf}, the commit time of the source snapshot, so that the same snapshot always gives the same features.
 */
public record PipelineContext(String sourceTable, long sourceSnapshotId, Instant asOf) {}
