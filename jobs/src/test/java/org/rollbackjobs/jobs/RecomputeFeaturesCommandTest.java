package org.rollbackjobs.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rollbackjobs.iceberg.features.ExpectedFeatures.actual;
import static org.rollbackjobs.iceberg.features.ExpectedFeatures.assertSameRows;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.iceberg.features.ExpectedFeatures;
import org.rollbackjobs.iceberg.features.FeatureLineage;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.jobs.audit.AuditEntry;
import org.rollbackjobs.jobs.audit.AuditLog;
import org.rollbackjobs.jobs.features.PipelineRegistry;
import org.springframework.beans.factory.annotation.Autowired;

/** recompute-features as the JAR runs it: the Spring Batch job on real Iceberg tables, compared with an independent computation. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecomputeFeaturesCommandTest extends CliHarness {
  @Autowired AuditLog auditLog;
  @Autowired PipelineRegistry registry;
  long monday;
  long tuesday;

  @BeforeAll
  void source() {
    Table source = TxnSource.create(catalog, "shop.txn");
    monday = TxnSource.append(source, TxnSource.rows(TxnSource.SCHEMA, 11, 5_000, 300), 3);
    tuesday = TxnSource.append(source, TxnSource.rows(TxnSource.SCHEMA, 12, 5_000, 400), 4);
  }

  private Result recompute(String version, String target, String... more) {
    List<String> args = new ArrayList<>(List.of("recompute-features", "--pipeline", "customer_txn_features",
        "--version", version, "--source", "shop.txn", "--target", target, "--reason", "test " + target,
        "--actor", "tester", "--json"));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  @Test
  void versionsOneAndTwoGiveWhatEachDefinesWithLineageAuditAndRegistry() {
    Result v1 = recompute("1", "features.customer_v1");
    assertThat(v1.exitCode()).as(v1.stderr()).isZero();
    JsonNode json = v1.json();
    assertThat(json.get("status").asText()).isEqualTo("completed");
    assertThat(json.get("source-snapshot").asLong()).isEqualTo(tuesday);
    assertThat(json.get("rows-read").asLong()).isEqualTo(10_000);
    long execution = json.get("job-execution-id").asLong();

    Table features = table("features.customer_v1");
    assertSameRows(actual(features, 1), ExpectedFeatures.customerTxnV1(TxnSource.read(table("shop.txn"), tuesday)));
    assertThat(features.currentSnapshot().summary())
        .containsEntry(FeatureLineage.SOURCE_TABLE, "shop.txn")
        .containsEntry(FeatureLineage.SOURCE_SNAPSHOT, Long.toString(tuesday))
        .containsEntry(FeatureLineage.PIPELINE, "customer_txn_features")
        .containsEntry(FeatureLineage.PIPELINE_VERSION, "1")
        .containsEntry(FeatureLineage.JOB_EXECUTION, Long.toString(execution))
        .containsEntry(FeatureLineage.REASON, "test features.customer_v1")
        .containsEntry(FeatureLineage.ACTOR, "tester");

    Result v2 = recompute("2", "features.customer_v2");
    assertThat(v2.exitCode()).as(v2.stderr()).isZero();
    assertSameRows(actual(table("features.customer_v2"), 1),
        ExpectedFeatures.customerTxnV2(TxnSource.read(table("shop.txn"), tuesday)));

    List<AuditEntry> audit = auditLog.recent(5, "features.customer_v1");
    assertThat(audit).first().satisfies(entry -> {
      assertThat(entry.command()).isEqualTo("recompute-features");
      assertThat(entry.outcome()).isEqualTo("completed");
      assertThat(entry.jobExecutionId()).isEqualTo(execution);
      assertThat(entry.actor()).isEqualTo("tester");
    });
    assertThat(registry.find("customer_txn_features", "1")).hasValueSatisfying(r ->
        assertThat(r.definitionHash()).isEqualTo(json.get("pipeline-hash").asText()));
    assertThat(registry.find("customer_txn_features", "2")).isPresent();
  }

  @Test
  void aRerunIsANoopAndAnOlderSnapshotGivesTheOlderFeatures() {
    Result first = recompute("1", "features.rerun");
    assertThat(first.exitCode()).as(first.stderr()).isZero();
    long snapshot = table("features.rerun").currentSnapshot().snapshotId();

    Result again = recompute("1", "features.rerun");
    assertThat(again.exitCode()).isZero();
    assertThat(again.json().get("status").asText()).isEqualTo("noop");
    assertThat(table("features.rerun").currentSnapshot().snapshotId()).isEqualTo(snapshot);
    assertThat(auditLog.recent(1, "features.rerun").get(0).outcome()).isEqualTo("noop");

    Result older = recompute("1", "features.rerun", "--source-snapshot", Long.toString(monday));
    assertThat(older.exitCode()).as(older.stderr()).isZero();
    Table features = table("features.rerun");
    assertSameRows(actual(features, 1), ExpectedFeatures.customerTxnV1(TxnSource.read(table("shop.txn"), monday)));
    assertThat(features.currentSnapshot().summary()).containsEntry(FeatureLineage.SOURCE_SNAPSHOT, Long.toString(monday));
    // replaced, not appended: as many rows as customers on Monday
    assertThat(features.currentSnapshot().summary().get("total-records"))
        .isEqualTo(Integer.toString(ExpectedFeatures.customerTxnV1(TxnSource.read(table("shop.txn"), monday)).size()));
  }

  @Test
  void aDryRunPrintsThePlanAndChangesNothing() {
    Result dry = run("recompute-features", "--pipeline", "customer_txn_features", "--version", "2", "--source",
        "shop.txn", "--target", "features.dry", "--dry-run", "--json");
    assertThat(dry.exitCode()).as(dry.stderr()).isZero();
    JsonNode json = dry.json();
    assertThat(json.get("status").asText()).isEqualTo("dry-run");
    assertThat(json.get("rows").asLong()).isEqualTo(10_000);
    assertThat(json.get("files").asInt()).isEqualTo(7);
    assertThat(json.get("schema-changes").get(0).asText()).startsWith("create table features.dry");
    assertThat(catalog.tableExists(org.rollbackjobs.iceberg.catalog.TableName.parse("features.dry"))).isFalse();

    Result text = run("recompute-features", "--pipeline", "customer_txn_features", "--version", "2", "--source",
        "shop.txn", "--target", "features.dry", "--dry-run");
    assertThat(text.stdout()).contains("Dry run", "Nothing was changed", "10000 rows in 7 data files");
  }

  @Test
  void yamlDefinitionsFromAFolderAreUsedAndAChangedVersionIsRefused(@TempDir Path dir) throws Exception {
    String yaml = """
        name: customer_max_amount
        version: "1"
        inputs: {customer_id: string, amount: double}
        group-by: [customer_id]
        aggregates:
          amount_max: {max: amount}
        """;
    Files.writeString(dir.resolve("max.yaml"), yaml);
    Result ok = run("recompute-features", "--pipeline", "customer_max_amount", "--version", "1", "--source", "shop.txn",
        "--target", "features.max", "--pipelines", dir.toString(), "--reason", "folder", "--json");
    assertThat(ok.exitCode()).as(ok.stderr()).isZero();
    assertThat(table("features.max").schema().columns()).extracting(Types.NestedField::name)
        .containsExactly("customer_id", "amount_max");

    // the same version, edited: refused, nothing written
    Files.writeString(dir.resolve("max.yaml"), yaml.replace("max: amount", "min: amount"));
    String before = metadataLocation("features.max");
    Result changed = run("recompute-features", "--pipeline", "customer_max_amount", "--version", "1", "--source",
        "shop.txn", "--target", "features.max", "--pipelines", dir.toString(), "--reason", "edited", "--json");
    assertThat(changed.exitCode()).isEqualTo(2);
    assertThat(changed.json().get("error").asText()).contains("was registered on", "Versions are immutable");
    assertThat(metadataLocation("features.max")).isEqualTo(before);
  }

  @Test
  void helpListsTheOptions() {
    Result help = run("recompute-features", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.stdout()).contains("--pipeline", "--version", "--source", "--source-snapshot", "--target",
        "--reason", "--pipelines", "--dry-run", "--json", "--actor");
  }
}
