package org.rollbackjobs.jobs.restore;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.rollbackjobs.iceberg.restore.RestorePlan;
import org.rollbackjobs.jobs.cli.Output;

/** The text and JSON forms of a restore plan (dry run) and of a restore result. */
public final class RestoreReport {
  private static final int LISTED_FILES = 20;

  private RestoreReport() {}

  public static Map<String, Object> json(String status, int exitCode, RestorePlan plan, Long newCurrent,
      Duration duration, Long jobExecutionId) {
    Map<String, Object> json = Output.result("restore", status, exitCode);
    json.put("table", plan.table());
    json.put("mode", plan.mode().label());
    json.put("target", plan.target());
    json.put("from-snapshot", plan.fromSnapshotId());
    json.put("to-snapshot", plan.toSnapshotId());
    json.put("new-current-snapshot", newCurrent);
    json.put("changed", newCurrent != null && !plan.alreadyAtTarget());
    json.put("files-restored", plan.filesToRestore().size());
    json.put("rows-restored", plan.rowsToRestore());
    json.put("files-discarded", plan.filesToDiscard().size());
    json.put("rows-discarded", plan.rowsToDiscard());
    json.put("delete-files-restored", plan.deleteFilesToRestore().size());
    json.put("delete-files-discarded", plan.deleteFilesToDiscard().size());
    json.put("duration-ms", duration == null ? null : duration.toMillis());
    json.put("job-execution-id", jobExecutionId);
    if (newCurrent == null) {
      // a dry run lists the files themselves
      json.put("files-to-restore", plan.filesToRestore());
      json.put("files-to-discard", plan.filesToDiscard());
      json.put("delete-files-to-restore", plan.deleteFilesToRestore());
      json.put("delete-files-to-discard", plan.deleteFilesToDiscard());
    }
    return json;
  }

  public static String planText(RestorePlan plan) {
    StringBuilder out = new StringBuilder();
    out.append("Dry run: restore ").append(plan.table()).append(" to ").append(plan.target())
        .append(" (snapshot ").append(plan.toSnapshotId()).append("), mode ").append(plan.mode().label())
        .append(". Nothing was changed.\n");
    if (plan.alreadyAtTarget()) {
      out.append("The table already is in that state: the restore would do nothing.\n");
      return out.toString();
    }
    row(out, "current snapshot", String.valueOf(plan.fromSnapshotId()));
    row(out, "target snapshot", plan.toSnapshotId() + " (" + plan.targetFiles() + " data files, " + plan.targetRows() + " rows)");
    row(out, "to restore", plan.filesToRestore().size() + " data files, " + plan.rowsToRestore() + " rows");
    row(out, "to discard", plan.filesToDiscard().size() + " data files, " + plan.rowsToDiscard() + " rows");
    row(out, "delete files", plan.deleteFilesToRestore().size() + " to restore, "
        + plan.deleteFilesToDiscard().size() + " to discard");
    files(out, "restore", plan.filesToRestore());
    files(out, "discard", plan.filesToDiscard());
    return out.toString();
  }

  public static String resultText(RestorePlan plan, long newCurrent, Duration duration, long jobExecutionId) {
    StringBuilder out = new StringBuilder();
    if (plan.alreadyAtTarget()) {
      out.append(plan.table()).append(" already is at ").append(plan.target()).append(" (snapshot ")
          .append(plan.toSnapshotId()).append("): nothing to do.\n");
    } else {
      out.append("Restored ").append(plan.table()).append(" to ").append(plan.target()).append(", mode ")
          .append(plan.mode().label()).append(".\n");
    }
    row(out, "table", plan.table());
    row(out, "from snapshot", String.valueOf(plan.fromSnapshotId()));
    row(out, "to snapshot", String.valueOf(plan.toSnapshotId()));
    row(out, "new current snapshot", String.valueOf(newCurrent));
    row(out, "restored", plan.filesToRestore().size() + " data files, " + plan.rowsToRestore() + " rows");
    row(out, "discarded", plan.filesToDiscard().size() + " data files, " + plan.rowsToDiscard() + " rows");
    row(out, "delete files", plan.deleteFilesToRestore().size() + " restored, "
        + plan.deleteFilesToDiscard().size() + " discarded");
    row(out, "duration", duration.toMillis() + " ms");
    row(out, "job execution", String.valueOf(jobExecutionId));
    return out.toString();
  }

  private static void row(StringBuilder out, String label, String value) {
    out.append(String.format("  %-21s %s%n", label, value));
  }

  private static void files(StringBuilder out, String verb, List<String> files) {
    if (files.isEmpty()) {
      return;
    }
    out.append("Files to ").append(verb).append(":\n");
    files.stream().limit(LISTED_FILES).forEach(f -> out.append("  ").append(f).append('\n'));
    if (files.size() > LISTED_FILES) {
      out.append("  ... and ").append(files.size() - LISTED_FILES).append(" more (--json lists all)\n");
    }
  }
}
