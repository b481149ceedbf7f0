package org.rollbackjobs.jobs.index;

import java.time.Duration;
import java.util.UUID;
import org.rollbackjobs.jobs.launch.Attempt;
import org.rollbackjobs.vector.index.IndexName;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.JobParametersBuilder;

/** {@code rebuild-index --switch-back}: back to the previous build of an index, as job parameters. */
public record SwitchBackRequest(String schema, String index, Duration coolDown, boolean overrideQuarantine,
    String reason, String actor) {

  public IndexName indexName() {
    return IndexName.of(schema, index);
  }

  public String subject() {
    return indexName().toString();
  }

  /** What the audit log records of this request before it runs. */
  public Attempt attempt() {
    return new Attempt("rebuild-index --switch-back", subject(), actor, reason);
  }

  public JobParameters toJobParameters() {
    JobParametersBuilder params = new JobParametersBuilder()
        .addString(RebuildIndexRequest.INDEX, subject())
        .addString(RebuildIndexRequest.RUN_ID, UUID.randomUUID().toString())
        .addString("schema", schema, false)
        .addString("index-name", index, false)
        .addLong("cool-down-seconds", coolDown.toSeconds(), false)
        .addString("override-quarantine", Boolean.toString(overrideQuarantine), false);
    if (reason != null) {
      params.addString("reason", reason, false);
    }
    if (actor != null) {
      params.addString("actor", actor, false);
    }
    return params.toJobParameters();
  }

  public static SwitchBackRequest fromJobParameters(JobParameters p) {
    return new SwitchBackRequest(p.getString("schema"), p.getString("index-name"),
        Duration.ofSeconds(p.getLong("cool-down-seconds")), Boolean.parseBoolean(p.getString("override-quarantine")),
        p.getString("reason"), p.getString("actor"));
  }
}
