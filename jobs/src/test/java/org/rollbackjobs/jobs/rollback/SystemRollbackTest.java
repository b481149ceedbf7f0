package org.rollbackjobs.jobs.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.vector.index.BuildRetirer;
import org.rollbackjobs.vector.index.IndexName;

/**
 * {@code rollback} end to end on a real system: a dataset, a feature table computed from it, a pgvector index of a
 * document table and a model. Manifest 1 is the known-good state; the incident is a bad load, a nightly recompute
 * from it with another pipeline version, the index rebuilt with another model of the same dimension, and the model
 * retrained on all that (manifest 2). Each test has a system of its own.
 */
class SystemRollbackTest extends RollbackTestSystem {
  @BeforeEach
  void system() throws IOException {
    knownGoodSystem("rb", 30, null);
  }

  @Test
  void theWholeSystemGoesBackToTheManifestWithApprovalsAndVerifiesClean() {
    incident();
    List<Map<String, Object>> badRows = rowsOf(null);

    Result dry = rollback("--dry-run");
    assertThat(dry.exitCode()).as(dry.stderr()).isEqualTo(4);
    JsonNode plan = dry.json();
    assertThat(plan.get("status").asText()).isEqualTo("planned");
    assertThat(plan.get("manifest-id").asLong()).isEqualTo(goodManifest);
    assertThat(plan.get("level").asInt()).isEqualTo(4);
    assertThat(actions(plan)).containsExactly("dataset " + ns + ".txn restore", "feature customer_features recompute",
        "index docs switch-back", "model churn retrain");
    assertThat(plan.get("approvals").get("missing").toString()).contains("data-engineering-lead", "ml-engineering-lead");
    String planId = plan.get("plan-id").asText();
    assertThat(rowsOf(null)).as("a dry run changes nothing").isEqualTo(badRows);

    Result refused = rollback();
    assertThat(refused.exitCode()).isEqualTo(4);
    assertThat(refused.json().get("status").asText()).isEqualTo("refused");
    assertThat(refused.json().get("error").asText()).contains("approval").contains("approve --system " + ns);
    assertThat(rowsOf(null)).as("a refused rollback changes nothing").isEqualTo(badRows);

    ok(run("approve", "--system-file", systemFile.toString(), "--plan", planId, "--approver", "alice", "--role",
        "data-engineering-lead", "--reason", "bad load confirmed"));
    ok(run("approve", "--system-file", systemFile.toString(), "--plan", planId, "--approver", "bob", "--role",
        "ml-engineering-lead", "--reason", "model owner agrees"));
    assertThat(rollback("--dry-run").exitCode()).isZero();

    Result done = rollback();
    assertThat(done.exitCode()).as(done.stderr() + done.stdout()).isZero();
    JsonNode json = done.json();
    assertThat(json.get("status").asText()).isEqualTo("completed");
    assertThat(json.get("plan-id").asText()).isEqualTo(planId);
    assertThat(json.get("verify").get("clean").asBoolean()).isTrue();
    assertThat(json.get("time-to-rollback-ms").asLong()).isPositive();
    json.get("components").forEach(c -> assertThat(c.get("status").asText()).as(c.toString())
        .isIn("completed", "noop"));

    // every component equals manifest 1
    assertThat(rowsOf(null)).isEqualTo(rowsOf(tuesday));
    assertThat(jdbc.queryForList("SELECT DISTINCT embedding_version FROM " + ns + ".docs", String.class))
        .containsExactly(GOOD_MODEL);
    assertThat(jdbc.queryForObject("SELECT count(DISTINCT doc_id) FROM " + ns + ".docs", Long.class)).isEqualTo(30);
    assertThat(verify(goodManifest).exitCode()).isZero();
    Map<String, Object> record = jdbc.queryForMap("SELECT outcome, level, plan_id, time_to_rollback_ms, approvals::text"
        + " AS approvals FROM rollback.rollbacks WHERE system = ?", ns);
    assertThat(record).containsEntry("outcome", "completed").containsEntry("level", 4).containsEntry("plan_id", planId);
    assertThat((String) record.get("approvals")).contains("alice", "bob");

    Result again = rollback();
    assertThat(again.exitCode()).as(again.stderr()).isZero();
    assertThat(again.json().get("status").asText()).isEqualTo("noop");
    assertThat(run("history", "--limit", "200", "--json").json().get("records").toString())
        .contains("\"command\":\"rollback\"", "\"command\":\"approve\"");
  }

  @Test
  void anIndexWhosePinnedBuildIsGoneIsRebuiltFromTheCachedVectorsOfItsVersion() throws Exception {
    incident();
    // the pinned build's cool-down ended and it was retired: no switch-back, but its vectors are cached
    jdbc.update("UPDATE rollback.index_builds SET keep_until = now() - interval '1 second'"
        + " WHERE index_schema = ? AND index_name = 'docs' AND status = 'previous'", ns);
    try (var c = dataSource.getConnection()) {
      assertThat(BuildRetirer.retire(c, IndexName.of(ns, "docs"))).hasSize(1);
    }

    JsonNode plan = rollback("--dry-run").json();
    assertThat(actions(plan)).contains("index docs rebuild");
    JsonNode planned = component(plan, "index").get("planned");
    assertThat(planned.get("documents").asLong()).isEqualTo(30);
    assertThat(planned.get("reusable").asLong()).isEqualTo(30);
    assertThat(planned.get("to-embed").asLong()).isZero();
    String planId = plan.get("plan-id").asText();
    ok(run("approve", "--system-file", systemFile.toString(), "--plan", planId, "--approver", "alice", "--role",
        "data-engineering-lead", "--reason", "bad load confirmed"));
    ok(run("approve", "--system-file", systemFile.toString(), "--plan", planId, "--approver", "bob", "--role",
        "ml-engineering-lead", "--reason", "model owner agrees"));

    Result done = rollback();
    assertThat(done.exitCode()).as(done.stderr() + done.stdout()).isZero();
    JsonNode index = component(done.json(), "index");
    assertThat(index.get("status").asText()).isEqualTo("completed");
    assertThat(index.get("vectors-reused").asLong()).isEqualTo(30);
    assertThat(done.json().get("verify").get("clean").asBoolean()).isTrue();
    assertThat(jdbc.queryForList("SELECT DISTINCT embedding_version FROM " + ns + ".docs", String.class))
        .containsExactly(GOOD_MODEL);
  }

  @Test
  void anIndexChangedInPlaceIsRebuiltThoughItStillServesThePinnedBuild() {
    // a fifth of the pinned build's vectors relabelled as another model's: the serving build is still the pinned one,
    // so a rebuild at the pins that is not forced would see an equivalent build serving and do nothing
    String buildTable = jdbc.queryForObject("SELECT build_table FROM rollback.index_builds WHERE index_schema = ?"
        + " AND index_name = 'docs' AND status = 'serving'", String.class, ns);
    jdbc.update("UPDATE " + ns + "." + buildTable + " SET embedding_version = ? WHERE doc_id IN (SELECT doc_id FROM "
        + ns + "." + buildTable + " ORDER BY doc_id LIMIT 6)", OTHER_MODEL);
    assertThat(verify(goodManifest).exitCode()).isEqualTo(3);

    List<String> args = List.of("rollback", "--system-file", systemFile.toString(), "--to-manifest",
        Long.toString(goodManifest), "--reason", "vectors changed in place", "--json");
    JsonNode plan = run(concat(args, "--dry-run")).json();
    assertThat(actions(plan)).contains("index docs rebuild");
    String planId = plan.get("plan-id").asText();
    int approver = 0;
    for (JsonNode role : plan.get("approvals").get("missing")) {
      ok(run("approve", "--system-file", systemFile.toString(), "--plan", planId, "--approver", "approver"
          + approver++, "--role", role.asText(), "--reason", "mixed vectors confirmed"));
    }

    Result done = run(args.toArray(String[]::new));
    assertThat(done.exitCode()).as(done.stderr() + done.stdout()).isZero();
    assertThat(component(done.json(), "index").get("status").asText()).isEqualTo("completed");
    assertThat(done.json().get("verify").get("clean").asBoolean()).isTrue();
    assertThat(jdbc.queryForList("SELECT DISTINCT embedding_version FROM " + ns + ".docs", String.class))
        .containsExactly(GOOD_MODEL);
  }

  private static String[] concat(List<String> args, String... more) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private static JsonNode component(JsonNode result, String kind) {
    for (JsonNode c : result.get("components")) {
      if (c.get("component").asText().equals(kind)) {
        return c;
      }
    }
    throw new AssertionError("no " + kind + " component in " + result);
  }

  @Test
  void anApprovalOfAPlanWhoseStateChangedNoLongerCounts() {
    incident();
    String planId = rollback("--dry-run").json().get("plan-id").asText();
    ok(run("approve", "--system-file", systemFile.toString(), "--plan", planId, "--approver", "alice", "--role",
        "data-engineering-lead", "--reason", "ok"));
    ok(run("approve", "--system-file", systemFile.toString(), "--plan", planId, "--approver", "bob", "--role",
        "ml-engineering-lead", "--reason", "ok"));
    TxnSource.append(table(ns + ".txn"), TxnSource.rows(TxnSource.SCHEMA, 34, 10, 5), 1);

    Result refused = rollback();
    assertThat(refused.exitCode()).isEqualTo(4);
    String newPlan = refused.json().get("plan-id").asText();
    assertThat(newPlan).isNotEqualTo(planId);
    assertThat(refused.json().get("error").asText()).contains("the plan changed", planId, newPlan);
  }

  @Test
  void theActorCannotApproveTheirOwnRollbackAndOnePersonCannotFillTwoRoles() {
    incident();
    String planId = rollback("--dry-run").json().get("plan-id").asText();
    ok(run("approve", "--system-file", systemFile.toString(), "--plan", planId, "--approver", "carol", "--role",
        "data-engineering-lead", "--reason", "ok"));
    ok(run("approve", "--system-file", systemFile.toString(), "--plan", planId, "--approver", "carol", "--role",
        "ml-engineering-lead", "--reason", "ok"));
    assertThat(rollback("--dry-run").exitCode()).as("one person, two roles").isEqualTo(4);
    ok(run("approve", "--system-file", systemFile.toString(), "--plan", planId, "--approver", "dave", "--role",
        "ml-engineering-lead", "--reason", "ok"));
    assertThat(rollback("--dry-run", "--actor", "dave").exitCode()).as("the actor approved").isEqualTo(4);
    Result erin = rollback("--dry-run", "--actor", "erin");
    assertThat(erin.exitCode()).as(erin.stdout()).isZero();
  }

  @Test
  void aRollbackOfASystemWhoseLockIsHeldIsRefusedAndChangesNothing() {
    incident();
    List<Map<String, Object>> badRows = rowsOf(null);
    try (SystemLock.Held held = lock.acquire(ns)) {
      Result refused = rollback("--dry-run");
      assertThat(refused.exitCode()).isEqualTo(4);
      assertThat(refused.json().get("guards").toString()).contains("a rollback or drill of system " + ns + " is running");
    }
    assertThat(rowsOf(null)).isEqualTo(badRows);
  }

  @Test
  void badInputIsExitTwo() {
    assertThat(rollback("--dry-run").exitCode()).as("previous with one manifest").isEqualTo(2);
    Result unknown = run("rollback", "--system-file", systemFile.toString(), "--to-manifest", "999999", "--reason", "r",
        "--json");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.json().get("error").asText()).contains("no manifest 999999");
    Result plan = run("approve", "--system-file", systemFile.toString(), "--plan", "plan-0000000000000000",
        "--approver", "a", "--role", "data-engineering-lead", "--reason", "r", "--json");
    assertThat(plan.exitCode()).isEqualTo(2);
    assertThat(plan.json().get("error").asText()).contains("no rollback plan");
    ok(run("manifest", "retire", Long.toString(goodManifest), "--reason", "superseded"));
    Result retired = run("rollback", "--system-file", systemFile.toString(), "--to-manifest",
        Long.toString(goodManifest), "--reason", "r", "--json");
    assertThat(retired.exitCode()).isEqualTo(2);
    assertThat(retired.json().get("error").asText()).contains("is retired");
  }

  private Result rollback(String... more) {
    List<String> args = new ArrayList<>(List.of("rollback", "--system-file", systemFile.toString(), "--to-manifest",
        "previous", "--reason", "incident 42", "--json"));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  private List<Map<String, Object>> rowsOf(Long snapshot) {
    return TxnSource.read(table(ns + ".txn"), snapshot).stream()
        .map(r -> Map.<String, Object>of("row", r.toString())).sorted((a, b) -> a.toString().compareTo(b.toString()))
        .toList();
  }

  private static List<String> actions(JsonNode plan) {
    List<String> actions = new ArrayList<>();
    plan.get("components").forEach(c -> actions.add(c.get("component").asText() + " " + c.get("name").asText() + " "
        + c.get("action").asText()));
    return actions;
  }
}
