package org.rollbackjobs.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.iceberg.restore.RestoreMode;
import org.rollbackjobs.iceberg.snapshot.SnapshotTarget;
import org.rollbackjobs.jobs.demo.DemoTable;
import org.rollbackjobs.jobs.launch.AdvisoryLocks;
import org.rollbackjobs.jobs.launch.JobLocks;
import org.rollbackjobs.jobs.launch.LockClaim;
import org.rollbackjobs.jobs.restore.RestoreJobConfiguration;
import org.rollbackjobs.jobs.restore.RestoreRequest;
import org.rollbackjobs.vector.testing.Documents;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobParameters;
import org.springframework.batch.core.JobParametersBuilder;
import org.springframework.batch.core.explore.JobExplorer;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Two runs on one target: two recomputes into one feature table, a restore of a table a recompute reads, two
 * rebuilds of one index, a restart of a run whose target is busy. The second is refused (exit 4) naming the running
 * execution and the PostgreSQL backend that holds the lock, and changes nothing; the lock goes with its holder's
 * session. "Another process" is a lock held here on a connection of its own, with the job execution that process
 * would have recorded, or a real second command started while the first runs.
 */
class TwoRunsOnOneTargetTest extends CliHarness {
  private static final String MODEL = "all-minilm-l6-v2-q";

  @Autowired AdvisoryLocks locks;
  @Autowired JobRepository jobRepository;
  @Autowired JobExplorer explorer;
  @Autowired JdbcTemplate jdbc;

  @RegisterExtension final MadeUpExecutions madeUp = new MadeUpExecutions();
  final String ns = "g" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);

  @Test
  void aSecondRecomputeIntoOneTargetIsRefusedNamingTheFirstAndChangesNothing() {
    TxnSource.append(TxnSource.create(catalog, ns + ".txn"), TxnSource.rows(TxnSource.SCHEMA, 1, 600, 40), 2);
    ok(recompute("1", ns + ".txn", ns + ".features"));
    long before = table(ns + ".features").currentSnapshot().snapshotId();

    try (AdvisoryLocks.Held other = hold(LockClaim.exclusive(LockClaim.Kind.TABLE, ns + ".features"))) {
      JobExecution running = runningElsewhere("recompute-features", other, new JobParametersBuilder()
          .addString("target", ns + ".features").addString("source", ns + ".txn"));

      Result refused = recompute("2", ns + ".txn", ns + ".features");
      assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(4);
      assertThat(refused.json().get("error").asText())
          .contains("table " + ns + ".features is being written by recompute-features job execution " + running.getId())
          .contains("PostgreSQL backend " + other.backendPid());
      assertThat(lastAudit(ns + ".features")).isEqualTo("refused");

      Result dry = run("recompute-features", "--pipeline", "customer_txn_features", "--version", "2", "--source",
          ns + ".txn", "--target", ns + ".features", "--dry-run", "--json");
      assertThat(dry.exitCode()).as(dry.stderr()).isEqualTo(4);
      assertThat(dry.json().get("guards").get(0).get("ok").asBoolean()).isFalse();
      assertThat(dry.json().get("guards").get(0).get("message").asText())
          .contains("job execution " + running.getId());
    }
    assertThat(table(ns + ".features").currentSnapshot().snapshotId()).as("nothing changed").isEqualTo(before);

    ok(recompute("2", ns + ".txn", ns + ".features")); // released with its holder
    assertThat(table(ns + ".features").currentSnapshot().snapshotId()).isNotEqualTo(before);
  }

  @Test
  void aRestoreOfATableARecomputeReadsIsRefusedWhileRecomputesFromItRunSideBySide() {
    Table txn = TxnSource.create(catalog, ns + ".txn");
    long first = TxnSource.append(txn, TxnSource.rows(TxnSource.SCHEMA, 1, 400, 30), 1);
    long second = TxnSource.append(txn, TxnSource.rows(TxnSource.SCHEMA, 2, 400, 30), 1);

    try (AdvisoryLocks.Held reader = hold(LockClaim.shared(LockClaim.Kind.TABLE, ns + ".txn"))) {
      JobExecution running = runningElsewhere("recompute-features", reader, new JobParametersBuilder()
          .addString("target", ns + ".other").addString("source", ns + ".txn"));

      Result refused = run("restore", "--table", ns + ".txn", "--to-snapshot", Long.toString(first), "--reason",
          "restore while read", "--json");
      assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(4);
      assertThat(refused.json().get("error").asText())
          .contains("table " + ns + ".txn is being read by recompute-features job execution " + running.getId());
      assertThat(table(ns + ".txn").currentSnapshot().snapshotId()).as("nothing changed").isEqualTo(second);

      Result dry = run("restore", "--table", ns + ".txn", "--to-snapshot", Long.toString(first), "--dry-run", "--json");
      assertThat(dry.exitCode()).as(dry.stderr()).isEqualTo(4);
      assertThat(dry.json().get("error").asText()).startsWith("refused: lock: table " + ns + ".txn is being read");

      // readers share the source: a recompute from it runs while the other reads it
      ok(recompute("1", ns + ".txn", ns + ".features"));
    }
    ok(run("restore", "--table", ns + ".txn", "--to-snapshot", Long.toString(first), "--reason", "after the read"));
    assertThat(table(ns + ".txn").currentSnapshot().snapshotId()).isNotEqualTo(second);
  }

  @Test
  void aLockDiesWithTheSessionOfItsHolder() {
    DemoTable.Versions orders = DemoTable.create(catalog, ns + ".orders");
    AdvisoryLocks.Held crashed = hold(LockClaim.exclusive(LockClaim.Kind.TABLE, ns + ".orders"));
    try {
      assertThat(run("restore", "--table", ns + ".orders", "--to-snapshot", Long.toString(orders.monday()),
          "--reason", "while held").exitCode()).isEqualTo(4);
      // the holder's session ends as it would when its process is killed or its machine is lost
      jdbc.queryForObject("SELECT pg_terminate_backend(?)", Boolean.class, crashed.backendPid());
      Result restored = run("restore", "--table", ns + ".orders", "--to-snapshot", Long.toString(orders.monday()),
          "--reason", "the holder died", "--json");
      assertThat(restored.exitCode()).as(restored.stderr()).isZero();
      assertThat(restored.json().get("status").asText()).isEqualTo("completed");
    } finally {
      crashed.close();
    }
    assertThat(advisoryLocks(LockClaim.Kind.TABLE, ns + ".orders")).as("the restore released its lock").isZero();
  }

  @Test
  void aRestartTakesTheLocksOfItsJob() throws Exception {
    DemoTable.Versions orders = DemoTable.create(catalog, ns + ".orders");
    // a restore that failed before its step ran
    JobParameters params = new RestoreRequest(ns + ".orders", SnapshotTarget.id(orders.monday()), RestoreMode.COMMIT,
        "failed restore", "tester").toJobParameters();
    JobExecution failed = jobRepository.createJobExecution(RestoreJobConfiguration.JOB_NAME, params);
    failed.setStartTime(LocalDateTime.now());
    failed.setStatus(BatchStatus.FAILED);
    failed.setEndTime(LocalDateTime.now());
    jobRepository.update(failed);
    long current = table(ns + ".orders").currentSnapshot().snapshotId();

    try (AdvisoryLocks.Held other = hold(LockClaim.exclusive(LockClaim.Kind.TABLE, ns + ".orders"))) {
      Result refused = run("restart", "--execution", Long.toString(failed.getId()), "--json");
      assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(4);
      assertThat(refused.json().get("error").asText()).contains("table " + ns + ".orders is being written")
          .contains("PostgreSQL backend " + other.backendPid());
      assertThat(table(ns + ".orders").currentSnapshot().snapshotId()).isEqualTo(current);
      assertThat(explorer.getLastJobExecution(failed.getJobInstance()).getId()).as("no execution recorded")
          .isEqualTo(failed.getId());
    }
    Result restarted = run("restart", "--execution", Long.toString(failed.getId()), "--json");
    assertThat(restarted.exitCode()).as(restarted.stderr()).isZero();
    assertThat(table(ns + ".orders").currentSnapshot().snapshotId()).isNotEqualTo(current);
  }

  @Test
  void twoRebuildsOfOneIndexStartedTogetherOneRunsTheOtherIsRefused() throws Exception {
    jdbc.execute("CREATE SCHEMA " + ns);
    Documents.create(catalog, ns + ".docs", 300, 2, 11);
    String[] rebuild = {"rebuild-index", "--index", "docs", "--schema", ns, "--create", "--embedding", MODEL,
        "--source-table", ns + ".docs", "--reason", "two at once", "--json"};

    CompletableFuture<Result> first = CompletableFuture.supplyAsync(() -> run(rebuild));
    JobExecution running = awaitRunning(first, ns + ".docs");

    Result second = run(rebuild);
    assertThat(second.exitCode()).as(second.stderr()).isEqualTo(4);
    assertThat(second.json().get("error").asText())
        .contains("index " + ns + ".docs is being rebuilt by rebuild-index job execution " + running.getId())
        .contains("process " + ProcessHandle.current().pid());

    Result done = first.get(10, TimeUnit.MINUTES);
    assertThat(done.exitCode()).as(done.stderr()).isZero();
    // the first may record its build before or after the refusal: only its builds exist
    assertThat(buildsOf(ns, running.getId())).as("the refused rebuild made no build").isZero();
    assertThat(advisoryLocks(LockClaim.Kind.INDEX, ns + ".docs")).isZero();
    Result dry = run("rebuild-index", "--index", "docs", "--schema", ns, "--embedding", MODEL, "--source-table",
        ns + ".docs", "--dry-run", "--json");
    assertThat(dry.json().get("guards").get(0).get("ok").asBoolean()).as(dry.stdout()).isTrue();
  }

  /** Waits until the command's rebuild runs under its lock, its execution recorded. */
  private JobExecution awaitRunning(CompletableFuture<Result> command, String index) throws InterruptedException {
    while (!command.isDone()) {
      var running = explorer.findRunningJobExecutions("rebuild-index").stream()
          .filter(e -> index.equals(e.getJobParameters().getString("index"))).findFirst();
      if (running.isPresent() && advisoryLocks(LockClaim.Kind.INDEX, index) > 0) {
        return running.get();
      }
      Thread.sleep(5);
    }
    throw new AssertionError("the first rebuild ended before it was seen running: " + command.join());
  }

  private AdvisoryLocks.Held hold(LockClaim claim) {
    return locks.acquire(List.of(claim), conflict -> "held already: " + conflict);
  }

  /** What a process that holds {@code held} would have recorded: a running execution of the job. */
  private JobExecution runningElsewhere(String job, AdvisoryLocks.Held held, JobParametersBuilder params) {
    return madeUp.running(job, params.addString(JobLocks.LOCK_BACKEND, held.backendPid().toString(), false),
        "999999", "elsewhere");
  }

  private long advisoryLocks(LockClaim.Kind kind, String name) {
    return jdbc.queryForObject("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        + " AND classid = ?::int4::oid AND objid = hashtext(?)::oid AND objsubid = 2", Long.class, kind.namespace(), name);
  }

  /** The builds of the schema's indexes that another job execution than {@code except} made. */
  private Long buildsOf(String schema, long except) {
    return jdbc.queryForObject("SELECT count(*) FROM rollback.index_builds WHERE index_schema = ?"
        + " AND job_execution_id IS DISTINCT FROM ?", Long.class, schema, except);
  }

  private String lastAudit(String subject) {
    return jdbc.queryForObject("SELECT outcome FROM rollback.audit_log WHERE subject = ? ORDER BY id DESC LIMIT 1",
        String.class, subject);
  }

  private Result recompute(String version, String source, String target) {
    return run("recompute-features", "--pipeline", "customer_txn_features", "--version", version, "--source", source,
        "--target", target, "--reason", "recompute " + target + " v" + version, "--json");
  }

  private static void ok(Result result) {
    assertThat(result.exitCode()).as(result.stderr() + result.stdout()).isZero();
  }
}
