package org.rollbackjobs.jobs.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.iceberg.verify.DatasetCheck;
import org.rollbackjobs.iceberg.verify.FeatureTableCheck;
import org.rollbackjobs.jobs.rollback.SystemLock;
import org.rollbackjobs.vector.verify.IndexFinding;

/**
 * {@code drill} end to end on the rollback tests' system (a dataset, a feature table computed from it, a pgvector
 * index and a model): the rollback runs in a sandbox, and production must be exactly as before, by the drill's
 * own fingerprints and by direct reads of the tables' main snapshots, the serving view and the registries.
 */
class DrillTest extends DrillTestSystem {
  @Test
  void aDrillOfTheIncidentRollsBackTheSandboxAndLeavesProductionAsItWas() {
    incident();
    Map<String, Object> production = production();

    Result drill = drill();
    assertThat(drill.exitCode()).as(drill.stderr() + drill.stdout()).isZero();
    JsonNode json = drill.json();
    assertThat(json.get("command").asText()).isEqualTo("drill");
    assertThat(json.get("status").asText()).isEqualTo("passed");
    assertThat(json.get("verdict").asText()).isEqualTo("passed");
    assertThat(json.get("manifest-id").asLong()).as("previous: manifest 1").isEqualTo(goodManifest);
    assertThat(json.get("inject").asText()).isEqualTo("none");
    assertThat(json.get("detected").isNull()).isTrue();
    assertThat(json.get("production-untouched").asBoolean()).isTrue();
    assertThat(json.get("time-to-rollback-ms").asLong()).isPositive();
    assertThat(kinds(json.get("findings-before"))).contains(DatasetCheck.CONTENT_DIFFERS,
        FeatureTableCheck.SOURCE_MISMATCH);
    assertThat(json.get("findings-after")).isEmpty();
    assertThat(names(json.get("phases"))).containsSubsequence("fingerprint-before", "sandbox", "verify-before",
        "rollback-datasets", "rollback-features-and-indexes", "rollback-models", "rollback-verify",
        "fingerprint-after", "cleanup");
    List<String> actions = new ArrayList<>();
    json.get("components").forEach(c -> actions.add(c.get("component").asText() + " " + c.get("action").asText()
        + " " + c.get("status").asText()));
    assertThat(actions).containsExactly("dataset restore completed", "feature recompute completed",
        "index rebuild completed", "model retrain checked");
    json.get("production").forEach(p -> assertThat(p.get("same").asBoolean()).as(p.toString()).isTrue());

    // production, read directly: as before, still the incident; the sandbox is gone
    assertThat(production()).isEqualTo(production);
    assertThat(run("verify", "--system-file", systemFile.toString(), "--manifest", Long.toString(goodManifest))
        .exitCode()).isEqualTo(3);
    assertNoSandbox(json.get("run-id").asText());
    Map<String, Object> record = jdbc.queryForMap("SELECT verdict, exit_code, production_untouched, inject,"
        + " time_to_rollback_ms FROM rollback.drills WHERE run_id = ?", json.get("run-id").asText());
    assertThat(record).containsEntry("verdict", "passed").containsEntry("exit_code", 0)
        .containsEntry("production_untouched", true).containsEntry("inject", "none");
    assertThat(jdbc.queryForObject("SELECT count(*) FROM rollback.rollbacks WHERE system = ?", Long.class, ns))
        .as("a drill is not a rollback of the system").isZero();
  }

  @Test
  void aDrillOfAHealthySystemPassesAndKeepIsRemovedByTheNextDrill() {
    Map<String, Object> production = production();
    Result kept = drill("--keep");
    assertThat(kept.exitCode()).as(kept.stderr() + kept.stdout()).isZero();
    String run = kept.json().get("run-id").asText();
    assertThat(kept.json().get("manifest-id").asLong()).as("one manifest: the latest").isEqualTo(goodManifest);
    assertThat(kept.json().get("kept").asBoolean()).isTrue();
    assertThat(kept.json().get("sandbox-removal").asText()).contains("rollback_drill_" + run, "drill-" + run);
    assertThat(table(ns + ".txn").refs()).containsKey("drill-" + run);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM pg_views WHERE schemaname = ?", Long.class,
        "rollback_drill_" + run)).isEqualTo(1);
    assertThat(production()).isEqualTo(production);

    Result next = drill();
    assertThat(next.exitCode()).as(next.stderr()).isZero();
    assertThat(next.json().get("removed").toString()).contains("drill-" + run, "rollback_drill_" + run);
    assertNoSandbox(run);
    assertNoSandbox(next.json().get("run-id").asText());
    assertThat(production()).isEqualTo(production);
  }

  @Test
  void eachInjectedFaultIsDetectedBeforeAndRepairedByTheRollback() {
    Map<String, Object> production = production();
    Map<String, String> detectedBy = Map.of("bad-load", DatasetCheck.CONTENT_DIFFERS, "stale-features",
        FeatureTableCheck.SOURCE_MISMATCH, "mixed-embeddings", IndexFinding.MIXED_EMBEDDING_VERSIONS);
    for (String fault : List.of("bad-load", "stale-features", "mixed-embeddings")) {
      Result drill = drill("--inject", fault);
      assertThat(drill.exitCode()).as(fault + ": " + drill.stderr() + drill.stdout()).isZero();
      JsonNode json = drill.json();
      assertThat(json.get("inject").asText()).isEqualTo(fault);
      assertThat(json.get("detected").asBoolean()).as(fault).isTrue();
      assertThat(kinds(json.get("findings-before"))).as(fault).contains(detectedBy.get(fault));
      assertThat(json.get("findings-after")).as(fault).isEmpty();
      assertThat(json.get("production-untouched").asBoolean()).isTrue();
      assertNoSandbox(json.get("run-id").asText());
    }
    assertThat(production()).isEqualTo(production);
    assertThat(run("verify", "--system-file", systemFile.toString()).exitCode()).isZero();
  }

  @Test
  void badInputIsExitTwoBeforeAnythingIsCreated() {
    Map<String, Object> production = production();
    Result unknown = drill("--to-manifest", "999999");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.json().get("error").asText()).contains("no manifest 999999");
    assertThat(drill("--inject", "flood").exitCode()).isEqualTo(2);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM rollback.drills WHERE system = ?", Long.class, ns)).isZero();
    assertThat(production()).isEqualTo(production);
  }

  @Test
  void aDryRunPlansAndChangesNothing() {
    incident();
    Map<String, Object> production = production();
    Result dry = drill("--dry-run");
    assertThat(dry.exitCode()).as(dry.stderr()).isZero();
    assertThat(dry.json().get("status").asText()).isEqualTo("planned");
    assertThat(dry.json().get("run-id").isNull()).isTrue();
    assertThat(dry.json().get("components").toString()).contains("restore", "recompute");
    assertThat(jdbc.queryForObject("SELECT count(*) FROM rollback.drills WHERE system = ?", Long.class, ns)).isZero();
    assertThat(production()).isEqualTo(production);
  }

  @Test
  void aDrillWhileARollbackOrDrillOfTheSystemRunsIsRefused() {
    Map<String, Object> production = production();
    try (SystemLock.Held held = lock.acquire(ns)) {
      Result refused = drill();
      assertThat(refused.exitCode()).isEqualTo(4);
      assertThat(refused.json().get("error").asText()).contains("a rollback or drill of system " + ns + " is running");
    }
    assertThat(jdbc.queryForObject("SELECT count(*) FROM rollback.drills WHERE system = ?", Long.class, ns)).isZero();
    assertThat(production()).isEqualTo(production);
  }

  private static List<String> kinds(JsonNode findings) {
    List<String> kinds = new ArrayList<>();
    findings.forEach(f -> kinds.add(f.get("kind").asText()));
    return kinds;
  }

  private static List<String> names(JsonNode phases) {
    List<String> names = new ArrayList<>();
    phases.forEach(p -> names.add(p.get("name").asText()));
    return names;
  }
}
