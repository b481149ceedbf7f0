package org.rollbackjobs.jobs.rollback;

import java.util.UUID;
import org.rollbackjobs.jobs.system.Sandbox;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.JobParametersBuilder;

/**
 * A system rollback as its job receives it: the plan it runs (stored under its id), the system file it was made
 * from, the manifest, who and why. A restart runs under the same plan and approvals.
 *
 * @param sandbox the drill's sandbox the rollback runs in, or null for production
 */
record SystemRollbackParameters(String system, String systemFile, long manifestId, String planId, String reason,
    String actor, boolean overrideQuarantine, Sandbox sandbox) {
  static final String SYSTEM = "system";
  static final String SYSTEM_FILE = "system-file";
  static final String MANIFEST = "manifest-id";
  static final String PLAN = "plan-id";
  static final String REASON = "reason";
  static final String ACTOR = "actor";
  static final String OVERRIDE_QUARANTINE = "override-quarantine";
  static final String DRILL_RUN = "drill-run-id";

  JobParameters toJobParameters() {
    JobParametersBuilder params = new JobParametersBuilder()
        .addString(SYSTEM, system)
        .addLong(MANIFEST, manifestId)
        .addString(PLAN, planId)
        .addString("run.id", UUID.randomUUID().toString())
        .addString(SYSTEM_FILE, systemFile, false)
        .addString(REASON, reason, false)
        .addString(ACTOR, actor, false)
        .addString(OVERRIDE_QUARANTINE, Boolean.toString(overrideQuarantine), false);
    if (sandbox != null) {
      params.addString(DRILL_RUN, sandbox.runId());
    }
    return params.toJobParameters();
  }

  static SystemRollbackParameters of(JobParameters params) {
    return new SystemRollbackParameters(params.getString(SYSTEM), params.getString(SYSTEM_FILE),
        params.getLong(MANIFEST), params.getString(PLAN), params.getString(REASON), params.getString(ACTOR),
        Boolean.parseBoolean(params.getString(OVERRIDE_QUARANTINE)), Sandbox.of(params.getString(DRILL_RUN)));
  }

  /** The system as the job's steps work on it: production's, or moved into the drill's sandbox. */
  SystemDefinition systemIn(SystemDefinition loaded) {
    return sandbox == null ? loaded : sandbox.apply(loaded);
  }
}
