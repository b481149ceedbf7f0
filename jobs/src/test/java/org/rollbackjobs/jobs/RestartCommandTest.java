package org.rollbackjobs.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.rollbackjobs.iceberg.restore.RestoreMode;
import org.rollbackjobs.iceberg.snapshot.SnapshotTarget;
import org.rollbackjobs.jobs.demo.DemoTable;
import org.rollbackjobs.jobs.launch.JobRunner;
import org.rollbackjobs.jobs.restore.RestoreJobConfiguration;
import org.rollbackjobs.jobs.restore.RestoreRequest;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Autowired;

class RestartCommandTest extends CliHarness {
  @Autowired JobRunner jobRunner;
  @Autowired JobRepository jobRepository;

  @Test
  void aFailedRestoreIsRestartedWithItsOwnParametersAndCompletes() {
    // the job runs before its table exists (as if it was being recreated): the execution fails
    RestoreRequest request = new RestoreRequest("restart.orders", SnapshotTarget.tag(DemoTable.KNOWN_GOOD_TAG),
        RestoreMode.COMMIT, "restart test", "tester");
    JobExecution failed = jobRunner.run(request.attempt(), RestoreJobConfiguration.JOB_NAME, request.toJobParameters());
    assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);

    JsonNode status = run("status", "--execution", failed.getId().toString(), "--json").json();
    assertThat(status.get("executions").get(0).get("status").asText()).isEqualTo("FAILED");
    assertThat(status.get("executions").get(0).get("restartable").asBoolean()).isTrue();
    assertThat(status.get("executions").get(0).get("failure").asText()).contains("restart.orders", "does not exist");

    DemoTable.Versions v = DemoTable.create(catalog, "restart.orders");
    Result restarted = run("restart", "--execution", failed.getId().toString(), "--json");

    assertThat(restarted.exitCode()).as(restarted.stderr()).isZero();
    JsonNode json = restarted.json();
    assertThat(json.get("status").asText()).isEqualTo("completed");
    assertThat(json.get("restarted-execution-id").asLong()).isEqualTo(failed.getId());
    assertThat(json.get("to-snapshot").asLong()).isEqualTo(v.tuesday());
    assertThat(table("restart.orders").currentSnapshot().summary())
        .containsEntry("rollback.reason", "restart test")
        .containsEntry("rollback.job-execution-id", json.get("job-execution-id").asText());

    // the same job instance: nothing left to restart now
    Result again = run("restart", "--execution", failed.getId().toString(), "--json");
    assertThat(again.exitCode()).isZero();
    assertThat(again.json().get("status").asText()).isEqualTo("noop");
  }

  @Test
  void anExecutionLeftStartedByADeadProcessIsMarkedFailedAndRestarted() throws Exception {
    DemoTable.Versions v = DemoTable.create(catalog, "restart.killed");
    RestoreRequest request = new RestoreRequest("restart.killed", SnapshotTarget.id(v.monday()),
        RestoreMode.POINTER, "killed run", "tester");
    // what a SIGKILLed run leaves behind: a STARTED execution of a process that no longer exists
    Process dead = new ProcessBuilder("true").start();
    dead.waitFor();
    JobParameters params = new JobParametersBuilder(request.toJobParameters())
        .addString(JobRunner.PROCESS_PID, Long.toString(dead.pid()), false)
        .addString(JobRunner.PROCESS_HOST, java.net.InetAddress.getLocalHost().getHostName(), false)
        .toJobParameters();
    JobExecution killed = jobRepository.createJobExecution(RestoreJobConfiguration.JOB_NAME, params);
    killed.setStartTime(java.time.LocalDateTime.now());
    killed.setStatus(BatchStatus.STARTED);
    jobRepository.update(killed);

    Result restarted = run("restart", "--execution", killed.getId().toString(), "--json");

    assertThat(restarted.exitCode()).as(restarted.stderr()).isZero();
    assertThat(restarted.json().get("status").asText()).isEqualTo("completed");
    assertThat(table("restart.killed").currentSnapshot().snapshotId()).isEqualTo(v.monday());
    assertThat(jobRunner.execution(killed.getId()).getStatus()).isEqualTo(BatchStatus.FAILED);
  }

  @Test
  void anExecutionOfALiveProcessIsNotRestarted() throws Exception {
    DemoTable.Versions v = DemoTable.create(catalog, "restart.alive");
    RestoreRequest request = new RestoreRequest("restart.alive", SnapshotTarget.id(v.monday()),
        RestoreMode.POINTER, "running elsewhere", "tester");
    JobParameters params = new JobParametersBuilder(request.toJobParameters())
        .addString(JobRunner.PROCESS_PID, Long.toString(ProcessHandle.current().pid()), false)
        .addString(JobRunner.PROCESS_HOST, java.net.InetAddress.getLocalHost().getHostName(), false)
        .toJobParameters();
    JobExecution running = jobRepository.createJobExecution(RestoreJobConfiguration.JOB_NAME, params);
    running.setStartTime(java.time.LocalDateTime.now());
    running.setStatus(BatchStatus.STARTED);
    jobRepository.update(running);

    Result refused = run("restart", "--execution", running.getId().toString(), "--json");

    assertThat(refused.exitCode()).isEqualTo(4);
    assertThat(refused.json().get("error").asText()).contains("still running");
    assertThat(table("restart.alive").currentSnapshot().snapshotId()).isEqualTo(v.wednesday());
  }
}
