package org.rollbackjobs.jobs.manifest;

import java.nio.file.Path;
import java.util.UUID;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.JobParametersBuilder;

/**
 * A manifest capture as the job receives it.
 *
 * @param systemFile the system file, absolute (the job re-reads it: a restart sees the same file)
 */
public record CaptureRequest(String system, Path systemFile, String reason, String actor, boolean allowInconsistent,
    String runId) {

  public static CaptureRequest of(String system, Path systemFile, String reason, String actor,
      boolean allowInconsistent) {
    return new CaptureRequest(system, systemFile.toAbsolutePath().normalize(), reason, actor, allowInconsistent,
        UUID.randomUUID().toString());
  }

  JobParameters toJobParameters() {
    return new JobParametersBuilder()
        .addString("system", system)
        .addString("system-file", systemFile.toString())
        .addString("reason", reason, false)
        .addString("actor", actor, false)
        .addString("allow-inconsistent", Boolean.toString(allowInconsistent))
        .addString("run.id", runId)
        .toJobParameters();
  }

  static CaptureRequest fromJobParameters(JobParameters params) {
    return new CaptureRequest(params.getString("system"), Path.of(params.getString("system-file")),
        params.getString("reason"), params.getString("actor"),
        Boolean.parseBoolean(params.getString("allow-inconsistent")), params.getString("run.id"));
  }
}
