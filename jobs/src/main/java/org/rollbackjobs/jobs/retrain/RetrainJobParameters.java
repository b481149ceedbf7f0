package org.rollbackjobs.jobs.retrain;

import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.JobParametersBuilder;

/**
 * A trigger as the job receives it: the system file, the model, the manifest and the key computed before the
 * launch. A restart repeats exactly the same request (same key), so it retries the channels not yet delivered.
 */
record RetrainJobParameters(String system, Path systemFile, String model, long manifestId, String requestKey,
    String supersedes, String reason, String actor, Instant requestedAt) {

  static final String SYSTEM = "system";
  static final String SYSTEM_FILE = "system-file";
  static final String MODEL = "model";
  static final String MANIFEST = "manifest-id";
  static final String KEY = "request-key";
  static final String SUPERSEDES = "supersedes";
  static final String REASON = "reason";
  static final String ACTOR = "actor";
  static final String REQUESTED_AT = "requested-at";
  static final String RUN_ID = "run.id";

  JobParameters toJobParameters() {
    JobParametersBuilder builder = new JobParametersBuilder()
        .addString(SYSTEM, system)
        .addString(SYSTEM_FILE, systemFile.toString(), false)
        .addString(MODEL, model)
        .addLong(MANIFEST, manifestId)
        .addString(KEY, requestKey)
        .addString(REASON, reason, false)
        .addString(ACTOR, actor, false)
        .addString(REQUESTED_AT, requestedAt.toString(), false)
        // every trigger is a new job instance; a restart reuses the failed execution's parameters
        .addString(RUN_ID, UUID.randomUUID().toString());
    if (supersedes != null) {
      builder.addString(SUPERSEDES, supersedes, false);
    }
    return builder.toJobParameters();
  }

  static RetrainJobParameters from(JobParameters params) {
    return new RetrainJobParameters(params.getString(SYSTEM), Path.of(params.getString(SYSTEM_FILE)),
        params.getString(MODEL), params.getLong(MANIFEST), params.getString(KEY), params.getString(SUPERSEDES),
        params.getString(REASON), params.getString(ACTOR), Instant.parse(params.getString(REQUESTED_AT)));
  }
}
