package org.rollbackjobs.jobs.launch;

import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.JobParametersBuilder;

/**
 * Who asks for what on which subject, and why: the part of every audit record that is known before anything
 * runs. It travels with the job's parameters (non-identifying), so that a restart is audited like the first run.
 *
 * @param command the command as the audit log names it ({@code restore}, {@code rebuild-index --switch-back})
 * @param subject what it acts on (a table, an index, {@code system/model}, a system)
 */
public record Attempt(String command, String subject, String actor, String reason) {
  static final String COMMAND = "audit.command";
  static final String SUBJECT = "audit.subject";
  static final String ACTOR = "actor";
  static final String REASON = "reason";

  /** The parameters with this attempt added (actor and reason keep the names the jobs have always used). */
  JobParameters addTo(JobParameters parameters) {
    JobParametersBuilder builder = new JobParametersBuilder(parameters)
        .addString(COMMAND, command, false)
        .addString(SUBJECT, subject, false);
    if (actor != null && parameters.getString(ACTOR) == null) {
      builder.addString(ACTOR, actor, false);
    }
    if (reason != null && parameters.getString(REASON) == null) {
      builder.addString(REASON, reason, false);
    }
    return builder.toJobParameters();
  }

  /** The attempt an execution was launched for; executions launched before attempts existed name the job. */
  static Attempt of(String jobName, JobParameters parameters) {
    String command = parameters.getString(COMMAND);
    return new Attempt(command == null ? jobName : command, parameters.getString(SUBJECT),
        parameters.getString(ACTOR), parameters.getString(REASON));
  }
}
