package org.rollbackjobs.iceberg.restore;

import java.util.List;

/**
 * What a restore will do, computed from metadata before anything changes. Files are data files; rows are
 * their record counts (rows hidden by delete files are counted in the delete files, reported apart).
 *
 * @param fromSnapshotId the current snapshot when the plan was made (null for a table with no current snapshot)
 * @param toSnapshotId the target snapshot
 * @param filesToRestore data files in the target that the current snapshot lacks
 * @param filesToDiscard data files in the current snapshot that the target lacks
 * @param deleteFilesToRestore delete files in the target that the current snapshot lacks
 * @param deleteFilesToDiscard delete files in the current snapshot that the target lacks
 * @param alreadyAtTarget the table's content already equals the target: nothing to do
 */
public record RestorePlan(
    String table,
    RestoreMode mode,
    String target,
    Long fromSnapshotId,
    long toSnapshotId,
    List<String> filesToRestore,
    List<String> filesToDiscard,
    long rowsToRestore,
    long rowsToDiscard,
    List<String> deleteFilesToRestore,
    List<String> deleteFilesToDiscard,
    long targetFiles,
    long targetRows,
    boolean alreadyAtTarget) {}
