package org.rollbackjobs.jobs.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rollbackjobs.iceberg.features.ExpectedFeatures;
import org.rollbackjobs.iceberg.features.FeatureLineage;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.jobs.JarProcess;
import org.rollbackjobs.jobs.faults.FaultReport;
import org.rollbackjobs.vector.index.BuildRetirer;
import org.rollbackjobs.vector.index.IndexName;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code rollback} of the packaged JAR killed with SIGKILL inside each phase of {@code system-rollback}, then
 * continued in a new JVM ({@code restart --execution ID} or the same {@code rollback} again): the continuation runs
 * under the killed run's plan, does not redo the components that had completed, leaves the lock free and ends in
 * the state an uninterrupted rollback ends in (the two-process test's winner is such an uninterrupted run, checked
 * by the same assertions). The system is set up in-process (quicker than one JVM per command); only the rollback
 * and its continuation run in JARs.
 */
class SystemRollbackKillIT extends RollbackTestSystem {
  private static final String COMPONENT = "rollback-component:";
  private static final int CHUNK = 20;

  /** Where the kill hits, and how the killed rollback is continued (alternating between the two ways). */
  enum Phase {
    READINESS("rollback-readiness", false),
    DATASETS("rollback-datasets", true),
    FEATURES_AND_INDEXES("rollback-features-and-indexes", false),
    MODELS("rollback-models", true),
    VERIFY("rollback-verify", false);

    final String step;
    final boolean restartByExecution;

    Phase(String step, boolean restartByExecution) {
      this.step = step;
      this.restartByExecution = restartByExecution;
    }
  }

  @DynamicPropertySource
  static void ownCatalog(DynamicPropertyRegistry registry) {
    registry.add("rollback.iceberg.catalog-name", () -> "rollback_kill_it");
  }

  @Autowired Environment environment;

  private final WebhookServer trainer = new WebhookServer();
  private int documents;
  private long badSnapshot;
  private String planId;

  /** Every JAR a test started: killed after the test, so that a failed test leaves no rollback running on. */
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void cleanUp() throws InterruptedException {
    for (Process process : started) {
      process.destroyForcibly();
      process.waitFor(1, TimeUnit.MINUTES);
    }
    trainer.close();
  }

  @ParameterizedTest
  @EnumSource(Phase.class)
  void aRollbackKilledInsideAPhaseIsContinuedToTheUninterruptedEndState(Phase phase) throws Exception {
    // the index must be re-embedded (its pinned build retired) where the kill hits the features-and-indexes
    // phase, so that the phase is long; elsewhere it is switched back
    boolean reembed = phase == Phase.FEATURES_AND_INDEXES;
    approvedRollbackOfAnIncident(reembed ? 600 : 40, reembed);
    if (phase == Phase.MODELS) {
      trainer.thenAnswer(WebhookServer.Answer.hang(8_000)); // the training service takes its time to answer
    }
    JarProcess killed = JarProcess.start(env(), rollbackArgs());
    started.add(killed.process());
    long execution = awaitExecution(killed);
    String hit = awaitKillPoint(phase, killed, execution);
    killed.kill(); // SIGKILL: no shutdown hook, no finally block runs
    Map<String, String> atKill = stepStatuses(execution);
    System.out.printf("kill in %s hit: %s; steps at kill: %s%n", phase, hit, new TreeMap<>(atKill));
    assertThat(atKill).as("the killed run was inside %s", phase).containsEntry(phase.step, "STARTED");

    // the dead process's session, and with it the system lock, is gone; nothing is half switched
    await("lock released by the dead process").atMost(Duration.ofSeconds(20)).until(() -> lock.checkFree(ns) == null);
    assertNothingHalfSwitched();

    JarProcess continued = phase.restartByExecution
        ? JarProcess.start(env(), "restart", "--execution", Long.toString(execution), "--json")
        : JarProcess.start(env(), rollbackArgs());
    started.add(continued.process());
    JsonNode result = continued.finish(0);
    assertThat(result.get("status").asText()).isEqualTo("completed");
    assertThat(result.get("plan-id").asText()).as("the continuation runs under the killed run's plan").isEqualTo(planId);
    assertThat(result.get("verify").get("clean").asBoolean()).as(result.toString()).isTrue();
    long restarted = result.get("job-execution-id").asLong();
    assertThat(restarted).isNotEqualTo(execution);
    assertThat(jdbc.queryForObject("SELECT job_instance_id FROM rollback.batch_job_execution WHERE job_execution_id"
        + " = ?", Long.class, restarted)).as("the same job instance continued")
        .isEqualTo(jdbc.queryForObject("SELECT job_instance_id FROM rollback.batch_job_execution WHERE"
            + " job_execution_id = ?", Long.class, execution));
    JsonNode status = run("status", "--execution", Long.toString(restarted), "--json").json();
    assertThat(status.get("executions").get(0).get("status").asText()).isEqualTo("COMPLETED");

    // components completed before the kill were not run again; every component completed exactly once
    Map<String, String> before = stepStatuses(execution);
    Map<String, String> after = stepStatuses(restarted);
    Set<String> doneBefore = components(before, "COMPLETED");
    System.out.printf("continuation of %d (%s) ran: %s%n", execution, phase, new TreeMap<>(after));
    assertThat(after.keySet().stream().filter(doneBefore::contains)).as("components redone").isEmpty();
    assertThat(after.values()).containsOnly("COMPLETED");
    Set<String> doneAfter = components(after, "COMPLETED");
    Set<String> all = new HashSet<>(doneBefore);
    all.addAll(doneAfter);
    assertThat(all).hasSize(doneBefore.size() + doneAfter.size()).containsExactlyInAnyOrderElementsOf(
        List.of(COMPONENT + "dataset/" + ns + ".txn", COMPONENT + "feature/customer_features",
            COMPONENT + "index/docs", COMPONENT + "model/churn"));
    assertRolledBack();
    FaultReport.row("SIGKILL inside the " + phase.step + " phase", "rollback", "continued by "
        + (phase.restartByExecution ? "restart --execution" : "the same rollback again")
        + ": completed under the killed run's plan, nothing redone, verify clean", "none");
  }

  @Test
  void twoRollbacksOfOneSystemStartedTogetherRunOnceAndTheOtherExitsFour() throws Exception {
    approvedRollbackOfAnIncident(40, false);
    // the first retrain answer is slow: the winner still holds the lock when the other JVM gets that far
    trainer.thenAnswer(WebhookServer.Answer.hang(5_000));
    JarProcess first = JarProcess.start(env(), rollbackArgs());
    JarProcess second = JarProcess.start(env(), rollbackArgs());
    started.addAll(List.of(first.process(), second.process()));
    int firstCode = first.exitCode();
    int secondCode = second.exitCode();
    assertThat(List.of(firstCode, secondCode)).as(first.stderr() + "\n----\n" + second.stderr())
        .containsExactlyInAnyOrder(0, 4);
    JarProcess winner = firstCode == 0 ? first : second;
    JarProcess loser = firstCode == 0 ? second : first;
    JsonNode won = winner.json();
    JsonNode lost = loser.json();
    System.out.println("refused: " + lost);
    assertThat(won.get("status").asText()).isEqualTo("completed");
    assertThat(won.get("verify").get("clean").asBoolean()).isTrue();
    assertThat(lost.get("status").asText()).isEqualTo("refused");
    assertThat(lost.get("error").asText()).contains("a rollback or drill of system " + ns + " is running");

    // nothing was done twice: one job execution, one component step each, one retrain delivery
    assertThat(jdbc.queryForObject("SELECT count(*) FROM rollback.batch_job_execution e JOIN"
        + " rollback.batch_job_instance i USING (job_instance_id) JOIN rollback.batch_job_execution_params p ON"
        + " p.job_execution_id = e.job_execution_id WHERE i.job_name = 'system-rollback' AND p.parameter_name"
        + " = 'system' AND p.parameter_value = ?", Long.class, ns)).as("system-rollback executions").isOne();
    assertThat(components(stepStatuses(won.get("job-execution-id").asLong()), "COMPLETED")).hasSize(4);
    assertThat(trainer.received()).hasSize(1);
    assertRolledBack();
    FaultReport.row("two at once, same system", "rollback x2", "one completed, the other refused (exit 4: a rollback"
        + " or drill of the system is running); one retrain delivery, verify clean", "none");
  }

  // ---- the system: known-good state, manifest, incident, approved plan ----

  private void approvedRollbackOfAnIncident(int docs, boolean retireGoodBuild) throws Exception {
    documents = docs;
    knownGoodSystem("rbkill", documents, trainer.url("/retrain"));
    String file = systemFile.toString();
    jdbc.execute("CREATE TABLE " + ns + ".good_vectors AS SELECT doc_id, embedding FROM " + ns + ".docs");

    // the incident: bad load, nightly recompute with v2, index rebuilt with another model, model retrained
    badSnapshot = TxnSource.append(table(ns + ".txn"), TxnSource.rows(TxnSource.SCHEMA, 33, 400, 40), 1);
    ok(run("recompute-features", "--pipeline", "customer_txn_features", "--version", "2", "--source", ns + ".txn",
        "--target", ns + ".customer_features", "--reason", "nightly"));
    List<String> rebuild = new ArrayList<>(List.of("rebuild-index", "--index", "docs", "--schema", ns, "--embedding",
        OTHER_MODEL, "--source-table", ns + ".docs", "--id-column", "id", "--text-column", "text", "--reason",
        "new embedding model"));
    if (retireGoodBuild) {
      rebuild.addAll(List.of("--cool-down", "0"));
    }
    ok(run(rebuild.toArray(String[]::new)));
    if (retireGoodBuild) {
      // no cool-down: the good build is dropped (by that rebuild's retire stage, or here as by the next one),
      // so the rollback has to embed every document again instead of switching back
      try (Connection c = dataSource.getConnection()) {
        BuildRetirer.retire(c, IndexName.of(ns, "docs"));
      }
      assertThat(jdbc.queryForObject("SELECT count(*) FROM rollback.index_builds WHERE index_schema = ? AND status"
          + " = 'previous'", Long.class, ns)).isZero();
      // and its vectors are not in the embedding cache either (they would be reused in one transaction): the
      // rollback's rebuild embeds every document, a load long enough to be killed inside
      jdbc.update("DELETE FROM rollback.embedding_cache WHERE embedding_version = ? AND content_hash IN"
          + " (SELECT content_hash FROM " + ns + ".docs)", GOOD_MODEL);
    }
    ok(run("manifest", "capture", "--system-file", file, "--reason", "deploy 2"));
    ok(run("trigger-retrain", "--system-file", file, "--model", "churn", "--reason", "deploy 2"));

    Result dry = run(rollbackInProcess("--dry-run"));
    assertThat(dry.exitCode()).as(dry.stdout()).isEqualTo(4);
    planId = dry.json().get("plan-id").asText();
    List<String> actions = new ArrayList<>();
    dry.json().get("components").forEach(c -> actions.add(c.get("component").asText() + " " + c.get("action").asText()));
    assertThat(actions).containsExactly("dataset restore", "feature recompute",
        "index " + (retireGoodBuild ? "rebuild" : "switch-back"), "model retrain");
    ok(run("approve", "--system-file", file, "--plan", planId, "--approver", "alice", "--role",
        "data-engineering-lead", "--reason", "bad load confirmed"));
    ok(run("approve", "--system-file", file, "--plan", planId, "--approver", "bob", "--role",
        "ml-engineering-lead", "--reason", "model owner agrees"));
    ok(run(rollbackInProcess("--dry-run")));
    trainer.reset(); // from here on, only the rollback's retrain requests
  }

  private String[] rollbackArgs() {
    return new String[] {"rollback", "--system-file", systemFile.toString(), "--to-manifest",
        Long.toString(goodManifest), "--actor", "on-call", "--reason", "incident 42", "--json"};
  }

  private String[] rollbackInProcess(String more) {
    List<String> args = new ArrayList<>(List.of(rollbackArgs()));
    args.add(more);
    return args.toArray(String[]::new);
  }

  // ---- where the kill hits ----

  private long awaitExecution(JarProcess jar) {
    String sql = "SELECT max(e.job_execution_id) FROM rollback.batch_job_execution e JOIN rollback.batch_job_instance i"
        + " USING (job_instance_id) JOIN rollback.batch_job_execution_params p ON p.job_execution_id"
        + " = e.job_execution_id WHERE i.job_name = 'system-rollback' AND p.parameter_name = 'system'"
        + " AND p.parameter_value = ?";
    Long[] id = new Long[1];
    jar.awaitAlive("the system-rollback job started", Duration.ofMillis(10), () -> {
      id[0] = jdbc.queryForObject(sql, Long.class, ns);
      return id[0] != null;
    });
    return id[0];
  }

  /** Waits until the run is inside the phase; what exactly it was doing there, for the test's log. */
  private String awaitKillPoint(Phase phase, JarProcess jar, long execution) {
    switch (phase) {
      case FEATURES_AND_INDEXES -> {
        // inside the re-embedding: some chunks of the new build committed, not all
        String[] table = new String[1];
        jar.awaitAlive("load of the new build under way", Duration.ofMillis(20), () -> {
          table[0] = jdbc.query("SELECT build_table FROM rollback.index_builds WHERE index_schema = ? AND status"
              + " = 'building'", rs -> rs.next() ? rs.getString(1) : null, ns);
          return table[0] != null && rows(ns + "." + table[0]) >= 2 * CHUNK;
        });
        long loaded = rows(ns + "." + table[0]);
        assertThat(loaded).as("killed inside the load").isLessThan(documents);
        return loaded + " of " + documents + " documents of the new build committed";
      }
      case MODELS -> {
        // inside the retrain component: the training service got the request and has not answered yet
        jar.awaitAlive("retrain request sent", Duration.ofMillis(10), () -> !trainer.received().isEmpty());
        return "retrain request received, its answer pending";
      }
      default -> {
        // the short phases: as soon as the job repository shows the phase's step running
        jar.awaitAlive(phase.step + " started", Duration.ofMillis(2),
            () -> "STARTED".equals(stepStatuses(execution).get(phase.step)));
        return phase.step + " STARTED";
      }
    }
  }

  // ---- the state ----

  /** Right after the kill: every component is either as the incident left it or as the manifest pins it. */
  private void assertNothingHalfSwitched() {
    assertThat(rowsOf(null)).isIn(rowsOf(tuesday), rowsOf(badSnapshot));
    Map<String, String> lineage = table(ns + ".customer_features").currentSnapshot().summary();
    assertThat(lineage.get(FeatureLineage.PIPELINE_VERSION) + "@" + lineage.get(FeatureLineage.SOURCE_SNAPSHOT))
        .as("feature table commit").isIn("1@" + tuesday, "2@" + badSnapshot);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM rollback.index_builds WHERE index_schema = ? AND status"
        + " = 'serving'", Long.class, ns)).as("serving builds").isOne();
    assertThat(jdbc.queryForList("SELECT DISTINCT embedding_version FROM " + ns + ".docs", String.class))
        .hasSize(1).containsAnyOf(GOOD_MODEL, OTHER_MODEL);
    assertThat(jdbc.queryForObject("SELECT count(DISTINCT doc_id) FROM " + ns + ".docs", Long.class))
        .isEqualTo(documents);
  }

  /** The end state of an uninterrupted rollback: every component as manifest 1 pins it, once. */
  private void assertRolledBack() {
    assertThat(rowsOf(null)).as("dataset rows").isEqualTo(rowsOf(tuesday));
    ExpectedFeatures.assertSameRows(ExpectedFeatures.actual(table(ns + ".customer_features"), 1),
        ExpectedFeatures.customerTxnV1(TxnSource.read(table(ns + ".txn"), tuesday)));
    assertThat(jdbc.queryForList("SELECT DISTINCT embedding_version FROM " + ns + ".docs", String.class))
        .containsExactly(GOOD_MODEL);
    assertThat(jdbc.queryForObject("SELECT count(DISTINCT doc_id) FROM " + ns + ".docs", Long.class))
        .isEqualTo(documents);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM " + ns + ".docs d JOIN " + ns + ".good_vectors g"
        + " USING (doc_id) WHERE (d.embedding <=> g.embedding) < 1e-4", Long.class))
        .as("the vectors the known-good build had").isEqualTo(documents);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM rollback.index_builds WHERE index_schema = ? AND status"
        + " = 'serving'", Long.class, ns)).as("serving builds").isOne();
    // the training service heard of the rollback once, by request id (a redelivery keeps its Idempotency-Key)
    Set<String> keys = trainer.received().stream().map(r -> r.header("Idempotency-Key")).collect(Collectors.toSet());
    assertThat(keys).as("requests received: %s", trainer.received()).containsExactly(jdbc.queryForObject(
        "SELECT request_key FROM rollback.retrain_requests WHERE system = ? AND manifest_id = ? AND supersedes IS"
            + " NOT NULL", String.class, ns, goodManifest));
    assertThat(run("verify", "--system-file", systemFile.toString(), "--manifest", Long.toString(goodManifest),
        "--json").exitCode()).isZero();
    assertThat(lock.checkFree(ns)).as("the lock is free").isNull();
    // last, so that the checks above still run: a build the dead process left half loaded must not stay behind
    // as 'building' (the retirer drops only previous and failed builds, so it would stay forever)
    assertThat(jdbc.queryForList("SELECT id || ' ' || build_table || ' ' || embedding_version || ' ' || status FROM"
        + " rollback.index_builds WHERE index_schema = ? AND status = 'building'", String.class, ns))
        .as("builds left 'building' after the rollback completed").isEmpty();
  }

  private List<String> rowsOf(Long snapshot) {
    return TxnSource.read(table(ns + ".txn"), snapshot).stream().map(Object::toString).sorted().toList();
  }

  private long rows(String table) {
    return jdbc.queryForObject("SELECT count(*) FROM " + table, Long.class);
  }

  private Map<String, String> stepStatuses(long execution) {
    Map<String, String> steps = new HashMap<>();
    jdbc.query("SELECT step_name, status FROM rollback.batch_step_execution WHERE job_execution_id = ?",
        rs -> {
          steps.put(rs.getString(1), rs.getString(2));
        }, execution);
    return steps;
  }

  private static Set<String> components(Map<String, String> steps, String status) {
    return steps.entrySet().stream().filter(e -> e.getKey().startsWith(COMPONENT) && e.getValue().equals(status))
        .map(Map.Entry::getKey).collect(Collectors.toSet());
  }

  private Map<String, String> env() {
    Map<String, String> env = JarProcess.env(environment);
    env.put("ROLLBACK_VECTOR_CHUNKSIZE", Integer.toString(CHUNK)); // small chunks: a load killed midway has some
    env.put("ROLLBACK_FEATURES_THREADS", "1");
    return env;
  }
}
