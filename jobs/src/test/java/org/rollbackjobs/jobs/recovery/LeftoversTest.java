package org.rollbackjobs.jobs.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.jobs.CliHarness;
import org.rollbackjobs.jobs.MadeUpExecutions;
import org.rollbackjobs.jobs.features.FeatureRecomputeProperties;
import org.rollbackjobs.vector.testing.Documents;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobParametersBuilder;
import org.springframework.batch.core.explore.JobExplorer;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What a crash leaves behind, made here as the crash would have left it: {@code status --leftovers} lists it with
 * the command that removes it, and that command (or the next run of the same kind) removes it.
 */
class LeftoversTest extends CliHarness {
  private static final String MODEL = "all-minilm-l6-v2-q";
  /** A process id no process has: the "dead JVM". */
  private static final String DEAD_PID = "2147483646";

  @Autowired JobExplorer explorer;
  @Autowired JdbcTemplate jdbc;
  @Autowired JobRepository repository;
  @Autowired FeatureRecomputeProperties features;
  @RegisterExtension final MadeUpExecutions madeUp = new MadeUpExecutions();
  final String ns = "l" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);

  @Test
  void aTagOfACaptureThatDiedBeforeStoringItsManifestIsListedAndTheNextCaptureRemovesIt() throws IOException {
    Table txn = TxnSource.create(catalog, ns + ".txn");
    long snapshot = TxnSource.append(txn, TxnSource.rows(TxnSource.SCHEMA, 1, 200, 20), 1);
    Path system = Files.createTempDirectory("systems").resolve(ns + ".yml");
    Files.writeString(system, "name: " + ns + "\ndatasets:\n  - table: " + ns + ".txn\n");
    long first = ok(run("manifest", "capture", "--system-file", system.toString(), "--reason", "deploy 1", "--json"))
        .json().get("manifest-id").asLong();
    // the crash: the tag of a reserved id is made, the manifest row never is
    long reserved = jdbc.queryForObject("SELECT nextval(pg_get_serial_sequence('rollback.manifests', 'id'))",
        Long.class);
    String orphan = "manifest-" + ns + "-" + reserved;
    table(ns + ".txn").manageSnapshots().createTag(orphan, snapshot).commit();

    JsonNode listed = leftovers().get("orphan-tags");
    assertThat(listed.toString()).contains("\"tag\":\"" + orphan + "\"").contains("\"table\":\"" + ns + ".txn\"")
        .contains("the next 'manifest capture' of system " + ns + " removes it");
    assertThat(listed.toString()).as("a tag with its manifest").doesNotContain("manifest-" + ns + "-" + first + "\"");

    ok(run("manifest", "capture", "--system-file", system.toString(), "--reason", "deploy 2"));
    assertThat(table(ns + ".txn").refs()).doesNotContainKey(orphan);
    assertThat(leftovers().get("orphan-tags").toString()).doesNotContain(orphan);
  }

  @Test
  void anExecutionOfAProcessThatIsGoneIsListedAndOneThatRunsIsNot() throws Exception {
    JobExecution dead = madeUpRunning("restore", DEAD_PID);
    JobExecution alive = madeUpRunning("restore", Long.toString(ProcessHandle.current().pid()));

    String listed = leftovers().get("dead-executions").toString();
    assertThat(listed).contains("\"job-execution-id\":" + dead.getId() + ",")
        .contains("process " + DEAD_PID + " on host").contains("restart --execution " + dead.getId());
    assertThat(listed).doesNotContain("\"job-execution-id\":" + alive.getId() + ",");
  }

  @Test
  void anUnfinishedBuildIsListedAndTheNextRebuildOfItsIndexRetiresItAndAbandonsItsExecution() throws Exception {
    jdbc.execute("CREATE SCHEMA " + ns);
    Documents.create(catalog, ns + ".docs", 12, 1, 3);
    String[] rebuild = {"rebuild-index", "--index", "docs", "--schema", ns, "--create", "--embedding", MODEL,
        "--source-table", ns + ".docs", "--force", "--reason", "build", "--json"};
    ok(run(rebuild));
    // the crash: a rebuild's process died while its build was loading
    JobExecution dead = madeUpRunning("rebuild-index", DEAD_PID);
    jdbc.execute("CREATE TABLE " + ns + ".docs__leftover (doc_id bigint)");
    long build = jdbc.queryForObject("INSERT INTO rollback.index_builds (index_schema, index_name, build_table, kind,"
        + " embedding_version, dimension, doc_id_type, status, job_execution_id) VALUES (?, 'docs', 'docs__leftover',"
        + " 'build', ?, 384, 'bigint', 'building', ?) RETURNING id", Long.class, ns, MODEL, dead.getId());

    String listed = leftovers().get("unfinished-builds").toString();
    assertThat(listed).contains("\"build-id\":" + build + ",").contains("\"index\":\"" + ns + ".docs\"")
        .contains("restart --execution " + dead.getId());

    ok(run(rebuild));
    assertThat(jdbc.queryForObject("SELECT status FROM rollback.index_builds WHERE id = ?", String.class, build))
        .isEqualTo("retired");
    assertThat(jdbc.queryForObject("SELECT to_regclass(?) IS NULL", Boolean.class, ns + ".docs__leftover")).isTrue();
    assertThat(explorer.getJobExecution(dead.getId()).getStatus()).isEqualTo(BatchStatus.ABANDONED);
    assertThat(run("restart", "--execution", Long.toString(dead.getId()), "--json").json().get("status").asText())
        .as("an abandoned execution is not restarted").isEqualTo("noop");
    assertThat(leftovers().get("unfinished-builds").toString()).doesNotContain("\"build-id\":" + build + ",");
  }

  @Test
  void aDeadRecomputesWorkFolderIsListedForItsRestartAndAFinishedOnesIsRemovedByTheNextRecompute() throws Exception {
    JobExecution dead = madeUp.running("recompute-features", new JobParametersBuilder()
        .addString("target", ns + ".dead"), DEAD_PID, java.net.InetAddress.getLocalHost().getHostName());
    JobExecution finished = madeUp.running("recompute-features", new JobParametersBuilder()
        .addString("target", ns + ".finished"), DEAD_PID, java.net.InetAddress.getLocalHost().getHostName());
    finished.setStatus(BatchStatus.COMPLETED); // a commit that died before removing its folder, then continued
    finished.setEndTime(java.time.LocalDateTime.now());
    repository.update(finished);
    Path deadFolder = spillFile(dead);
    Path finishedFolder = spillFile(finished);

    String listed = leftovers().get("run-folders").toString();
    assertThat(listed).contains("\"folder\":\"" + deadFolder + "\"").contains("\"job-execution-id\":" + dead.getId())
        .contains("restart --execution " + dead.getId() + " continues from it and removes it")
        .contains("\"folder\":\"" + finishedFolder + "\"").contains("the next recompute-features removes it");

    Table txn = TxnSource.create(catalog, ns + ".txn");
    TxnSource.append(txn, TxnSource.rows(TxnSource.SCHEMA, 3, 500, 20), 1);
    ok(run("recompute-features", "--pipeline", "customer_txn_features", "--version", "1", "--source", ns + ".txn",
        "--target", ns + ".features", "--reason", "next run"));
    assertThat(finishedFolder).doesNotExist();
    assertThat(deadFolder).as("kept for the dead run's restart").isDirectory();
    assertThat(leftovers().get("run-folders").toString()).doesNotContain(finishedFolder.toString())
        .contains(deadFolder.toString());
    org.springframework.util.FileSystemUtils.deleteRecursively(deadFolder);
  }

  /** A spill file in the work folder of the execution's run, as a map partition leaves it. */
  private Path spillFile(JobExecution execution) throws IOException {
    Path run = features.workDir().resolve(execution.getJobParameters().getString("run.id"));
    Path attempt = Files.createDirectories(run.resolve("attempts").resolve("map-00000").resolve("1"));
    Files.write(attempt.resolve("spill-0.run"), new byte[1024]);
    return run;
  }

  @Test
  void leftoversAreNotFilteredByRetrainOptions() {
    assertThat(run("status", "--leftovers", "--retrain").exitCode()).isEqualTo(2);
    assertThat(run("status", "--leftovers", "--system", ns).exitCode()).isEqualTo(2);
  }

  private JsonNode leftovers() {
    Result status = ok(run("status", "--leftovers", "--json"));
    return status.json().get("leftovers");
  }

  /** An execution as a process that ran it recorded it: STARTED, with its pid on this host. */
  private JobExecution madeUpRunning(String job, String pid) throws Exception {
    return madeUp.running(job, new JobParametersBuilder().addString("index", ns + ".docs"), pid,
        java.net.InetAddress.getLocalHost().getHostName());
  }

  private static Result ok(Result result) {
    assertThat(result.exitCode()).as(result.stderr() + result.stdout()).isZero();
    return result;
  }
}
