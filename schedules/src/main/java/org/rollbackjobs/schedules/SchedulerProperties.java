package org.rollbackjobs.schedules;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code rollback.scheduler.*}.
 *
 * @param schedules the schedules file ({@code --schedules FILE})
 * @param jobCommand how to start the job JAR, as a list ({@code java,-jar,/opt/rollback-jobs.jar}); empty: the
 *     launcher {@code jobs/bin/rollback-jobs} found from the working directory or beside this JAR
 * @param alertTokenFile a file holding the bearer token of {@code POST /alerts}, when the environment variable
 *     {@code ROLLBACK_ALERT_TOKEN} is not set
 * @param drillTimeout the longest a drill may run; then it is stopped and recorded {@code aborted}
 * @param rollbackTimeout the same for a rollback started by an alert
 * @param approvalPoll how often a rollback waiting for approvals checks for them
 * @param approvalTimeout how long it waits, then it is recorded {@code expired}
 * @param approvalTakeover how long the instance that waits for approvals may be silent (it shows itself at every
 *     poll) before another instance, or this one after a restart, takes the wait over; longer than a poll plus a
 *     dry run of the job JAR
 * @param shutdownGrace on SIGTERM, how long a running drill or rollback may still take before it is stopped
 * @param instance this instance's name in records (default: host name and process id)
 */
@ConfigurationProperties(prefix = "rollback.scheduler")
public record SchedulerProperties(
    Path schedules,
    @DefaultValue({}) List<String> jobCommand,
    Path alertTokenFile,
    @DefaultValue("2h") Duration drillTimeout,
    @DefaultValue("2h") Duration rollbackTimeout,
    @DefaultValue("30s") Duration approvalPoll,
    @DefaultValue("24h") Duration approvalTimeout,
    @DefaultValue("3m") Duration approvalTakeover,
    @DefaultValue("5m") Duration shutdownGrace,
    String instance) {

  public SchedulerProperties {
    jobCommand = List.copyOf(jobCommand);
    if (instance == null || instance.isBlank()) {
      instance = ProcessHandle.current().pid() + "@" + hostName();
    }
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }
}
