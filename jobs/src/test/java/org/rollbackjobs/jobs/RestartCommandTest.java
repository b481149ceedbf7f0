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
import org.springframework.beans.factory.annotation.Autowired;

class RestartCommandTest extends CliHarness {
  @Autowired JobRunner jobRunner;

  @Test
  void aFailedRestoreIsRestartedWithItsOwnParametersAndCompletes() {
    // the job runs before its table exists (as if it was being recreated): the execution fails
    RestoreRequest request = new RestoreRequest("restart.orders", SnapshotTarget.tag(DemoTable.KNOWN_GOOD_TAG),
        RestoreMode.COMMIT, "restart test", "tester");
    JobExecution failed = jobRunner.run(RestoreJobConfiguration.JOB_NAME, request.toJobParameters());
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
}
