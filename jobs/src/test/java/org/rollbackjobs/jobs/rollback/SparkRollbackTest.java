package org.rollbackjobs.jobs.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.apache.iceberg.Snapshot;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.iceberg.features.FeatureLineage;
import org.rollbackjobs.spark.testing.SparkConnectTestServer;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A system rollback whose feature table says {@code engine: spark}: the recompute runs on a real Spark Connect
 * server, and verify finds the system clean.
 */
class SparkRollbackTest extends RollbackTestSystem {
  @DynamicPropertySource
  static void spark(DynamicPropertyRegistry registry) {
    registry.add("rollback.features.spark.remote", () -> SparkConnectTestServer.shared().remote());
  }

  @Test
  void aRollbackRecomputesTheFeatureTableOnSparkAndVerifiesClean() throws IOException {
    knownGoodSystem("sprb", 20, null);
    Files.writeString(systemFile, Files.readString(systemFile)
        .replace("    version: \"1\"\n", "    version: \"1\"\n    engine: spark\n"));
    incident();

    List<String> rollback = List.of("rollback", "--system-file", systemFile.toString(), "--to-manifest", "previous",
        "--reason", "incident 43", "--json");
    JsonNode plan = run(concat(rollback, "--dry-run")).json();
    String planId = plan.get("plan-id").asText();
    int approver = 0;
    for (JsonNode role : plan.get("approvals").get("missing")) {
      ok(run("approve", "--system-file", systemFile.toString(), "--plan", planId, "--approver", "approver"
          + approver++, "--role", role.asText(), "--reason", "bad load confirmed"));
    }
    Result done = run(rollback.toArray(String[]::new));
    assertThat(done.exitCode()).as(done.stderr() + done.stdout()).isZero();
    JsonNode json = done.json();
    assertThat(json.get("status").asText()).isEqualTo("completed");
    assertThat(json.get("verify").get("clean").asBoolean()).isTrue();
    JsonNode feature = null;
    for (JsonNode component : json.get("components")) {
      if (component.toString().contains("customer_features")) {
        feature = component;
      }
    }
    assertThat(feature).as(json.toString()).isNotNull();
    assertThat(feature.toString()).contains("\"engine\":\"spark\"");

    Snapshot features = table(ns + ".customer_features").currentSnapshot();
    assertThat(features.summary())
        .containsEntry(FeatureLineage.ENGINE, FeatureLineage.ENGINE_SPARK)
        .containsEntry(FeatureLineage.SOURCE_SNAPSHOT, Long.toString(tuesday))
        .containsEntry(FeatureLineage.PIPELINE_VERSION, "1");
    assertThat(verify(goodManifest).exitCode()).isZero();
  }

  private static String[] concat(List<String> args, String more) {
    return java.util.stream.Stream.concat(args.stream(), java.util.stream.Stream.of(more)).toArray(String[]::new);
  }
}
