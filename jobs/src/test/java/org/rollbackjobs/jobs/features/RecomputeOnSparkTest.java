package org.rollbackjobs.jobs.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rollbackjobs.iceberg.features.ExpectedFeatures.actual;
import static org.rollbackjobs.iceberg.features.ExpectedFeatures.assertSameRows;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.features.FeatureLineage;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.jobs.CliHarness;
import org.rollbackjobs.spark.testing.SparkConnectTestServer;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@code recompute-features --engine spark} as the JAR runs it, against a real Spark Connect server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecomputeOnSparkTest extends CliHarness {
  private long snapshot;

  @DynamicPropertySource
  static void spark(DynamicPropertyRegistry registry) {
    registry.add("rollback.features.spark.remote", () -> SparkConnectTestServer.shared().remote());
  }

  @BeforeAll
  void source() {
    Table source = TxnSource.create(catalog, "sparkjob.txn");
    snapshot = TxnSource.append(source, TxnSource.rows(TxnSource.SCHEMA, 41, 8_000, 300), 3);
  }

  private Result recompute(String engine, String version, String target, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("recompute-features", "--pipeline",
        "customer_txn_features", "--version", version, "--source", "sparkjob.txn", "--target", target,
        "--engine", engine, "--reason", "engines " + target, "--actor", "tester", "--json"));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  @Test
  void sparkGivesTheEmbeddedEnginesTableWithTheSameLineage() {
    Result embedded = recompute("embedded", "2", "sparkjob.features_embedded");
    assertThat(embedded.exitCode()).as(embedded.stderr()).isZero();
    assertThat(embedded.json().get("engine").asText()).isEqualTo("embedded");

    Result dryRun = recompute("spark", "2", "sparkjob.features_spark", "--dry-run");
    assertThat(dryRun.exitCode()).as(dryRun.stderr()).isZero();
    assertThat(dryRun.json().get("engine").asText()).isEqualTo("spark");
    assertThat(catalog.tableExists(TableName.parse("sparkjob.features_spark"))).as("a dry run creates nothing").isFalse();

    Result spark = recompute("spark", "2", "sparkjob.features_spark");
    assertThat(spark.exitCode()).as(spark.stderr() + spark.stdout()).isZero();
    JsonNode json = spark.json();
    assertThat(json.get("status").asText()).isEqualTo("completed");
    assertThat(json.get("engine").asText()).isEqualTo("spark");
    assertThat(json.get("rows-written").asLong()).isEqualTo(embedded.json().get("rows-written").asLong()).isPositive();
    long execution = json.get("job-execution-id").asLong();

    Table e = table("sparkjob.features_embedded");
    Table s = table("sparkjob.features_spark");
    assertSameRows(actual(s, 1), actual(e, 1));
    Snapshot es = e.currentSnapshot();
    Snapshot ss = s.currentSnapshot();
    for (String key : List.of(FeatureLineage.SOURCE_TABLE, FeatureLineage.SOURCE_SNAPSHOT, FeatureLineage.PIPELINE,
        FeatureLineage.PIPELINE_VERSION, FeatureLineage.PIPELINE_HASH, FeatureLineage.ACTOR)) {
      assertThat(ss.summary().get(key)).as(key).isNotNull().isEqualTo(es.summary().get(key));
    }
    assertThat(ss.summary()).containsEntry(FeatureLineage.ENGINE, "spark")
        .containsEntry(FeatureLineage.JOB_EXECUTION, Long.toString(execution))
        .containsEntry(FeatureLineage.SOURCE_SNAPSHOT, Long.toString(snapshot));

    // the same version from the same snapshot again: the table is up to date, whichever engine wrote it
    Result again = recompute("embedded", "2", "sparkjob.features_spark");
    assertThat(again.exitCode()).as(again.stderr()).isZero();
    assertThat(again.json().get("status").asText()).isEqualTo("noop");
  }

  @Test
  void anUnknownEngineIsExitTwoNamingTheValidOnes() {
    Result bogus = recompute("mapreduce", "1", "sparkjob.never");
    assertThat(bogus.exitCode()).isEqualTo(2);
    assertThat(bogus.stderr() + bogus.stdout()).contains("--engine").contains("valid: embedded, spark");
    assertThat(catalog.tableExists(TableName.parse("sparkjob.never"))).isFalse();
  }

  @Test
  void aDefinitionWithoutASparkTranslationIsExitTwoBeforeAnythingChanges() throws IOException {
    Path dir = Files.createTempDirectory("pipelines");
    Files.writeString(dir.resolve("rounded.yaml"), """
        name: rounded_amounts
        version: "1"
        inputs: {customer_id: string, amount: double}
        columns:
          customer_id: customer_id
          rounded: {expr: "math:round(amount)", type: long}
        """);
    Result refused = run("recompute-features", "--pipeline", "rounded_amounts", "--version", "1", "--source",
        "sparkjob.txn", "--target", "sparkjob.rounded", "--pipelines", dir.toString(), "--engine", "spark",
        "--reason", "no translation", "--json");
    assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(2);
    assertThat(refused.json().get("error").asText()).contains("pipeline rounded_amounts version 1")
        .contains("math:round").contains("--engine embedded");
    assertThat(catalog.tableExists(TableName.parse("sparkjob.rounded"))).isFalse();

    Result embedded = run("recompute-features", "--pipeline", "rounded_amounts", "--version", "1", "--source",
        "sparkjob.txn", "--target", "sparkjob.rounded", "--pipelines", dir.toString(), "--engine", "embedded",
        "--reason", "embedded has every function");
    assertThat(embedded.exitCode()).as(embedded.stderr()).isZero();
  }
}
