package org.rollbackjobs.jobs.restore;

import java.time.Instant;
import java.util.UUID;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.restore.RestoreMode;
import org.rollbackjobs.iceberg.snapshot.SnapshotTarget;
import org.rollbackjobs.jobs.launch.Attempt;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.JobParametersBuilder;

/**
 * A restore as the job receives it; travels as job parameters so that a restart repeats exactly the same request.
 *
 * @param branch the branch restored (null: main); a drill restores its sandbox branch
 */
public record RestoreRequest(String table, SnapshotTarget target, RestoreMode mode, String reason, String actor,
    String branch) {

  static final String TABLE = "table";
  static final String TARGET = "target";
  static final String MODE = "mode";
  static final String REASON = "reason";
  static final String ACTOR = "actor";
  static final String RUN_ID = "run.id";
  static final String BRANCH = "branch";

  /** A restore of main. */
  public RestoreRequest(String table, SnapshotTarget target, RestoreMode mode, String reason, String actor) {
    this(table, target, mode, reason, actor, null);
  }

  /** What the audit log records of this restore before it runs. */
  public Attempt attempt() {
    return new Attempt("restore", branch == null ? table : table + " (branch " + branch + ")", actor, reason);
  }

  public JobParameters toJobParameters() {
    JobParametersBuilder params = new JobParametersBuilder()
        .addString(TABLE, table)
        .addString(TARGET, encode(target))
        .addString(MODE, mode.label())
        .addString(REASON, reason, false)
        .addString(ACTOR, actor, false)
        // every request is a new job instance; a restart reuses the failed execution's parameters
        .addString(RUN_ID, UUID.randomUUID().toString());
    if (branch != null) {
      params.addString(BRANCH, branch);
    }
    return params.toJobParameters();
  }

  public static RestoreRequest fromJobParameters(JobParameters params) {
    return new RestoreRequest(
        params.getString(TABLE),
        decode(params.getString(TARGET)),
        RestoreMode.parse(params.getString(MODE)),
        params.getString(REASON),
        params.getString(ACTOR),
        params.getString(BRANCH));
  }

  static String encode(SnapshotTarget target) {
    if (target instanceof SnapshotTarget.Id id) {
      return "snapshot:" + id.snapshotId();
    } else if (target instanceof SnapshotTarget.AsOf asOf) {
      return "timestamp:" + asOf.instant();
    } else if (target instanceof SnapshotTarget.Tag tag) {
      return "tag:" + tag.name();
    }
    throw new IllegalArgumentException("unknown target " + target);
  }

  static SnapshotTarget decode(String text) {
    int colon = text.indexOf(':');
    String kind = text.substring(0, colon);
    String value = text.substring(colon + 1);
    return switch (kind) {
      case "snapshot" -> SnapshotTarget.id(Long.parseLong(value));
      case "timestamp" -> SnapshotTarget.asOf(Instant.parse(value));
      case "tag" -> SnapshotTarget.tag(value);
      default -> throw new BadInputException("unknown restore target '" + text + "'");
    };
  }
}
