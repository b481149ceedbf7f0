package org.rollbackjobs.jobs.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.jobs.CliHarness;

/**
 * Manifests and verification of the Iceberg components of a system, on real tables: a clean system captures and
 * verifies clean; each mixed-version state is reported with exit 3 and its finding kind. Each test has a system of
 * its own (its own name, tables and manifests), made by {@link #system()} and, where it starts from a captured
 * and clean system, {@link #captured()}.
 */
class ManifestAndVerifyTest extends CliHarness {
  /** This test's system name, also the namespace of its tables. */
  String mv;
  Path systemFile;
  long monday;
  long tuesday;

  @BeforeEach
  void system() throws IOException {
    mv = "mv" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    Table source = TxnSource.create(catalog, mv + ".txn");
    monday = TxnSource.append(source, TxnSource.rows(TxnSource.SCHEMA, 21, 2_000, 100), 2);
    tuesday = TxnSource.append(source, TxnSource.rows(TxnSource.SCHEMA, 22, 2_000, 150), 2);
    systemFile = Files.createTempDirectory("systems").resolve(mv + ".yml");
    Files.writeString(systemFile, """
        name: MV
        datasets:
          - table: MV.txn
        features:
          - name: customer_features
            source: MV.txn
            pipeline: customer_txn_features
            target: MV.customer_features
        models:
          - name: churn
            version: "7"
            trains-on: [MV.txn, MV.customer_features]
        """.replace("MV", mv));
    Result recompute = recompute(tuesday, "1");
    assertThat(recompute.exitCode()).as(recompute.stderr()).isZero();
  }

  /** The system captured (manifest "deploy 1"), its model retrained on it, verified clean: the manifest id. */
  private long captured() {
    Result capture = run("manifest", "capture", "--system-file", systemFile.toString(), "--reason", "deploy 1",
        "--actor", "tester", "--json");
    assertThat(capture.exitCode()).as(capture.stderr() + capture.stdout()).isZero();
    Result retrain = run("trigger-retrain", "--system-file", systemFile.toString(), "--model", "churn", "--reason",
        "train on deploy 1", "--json");
    assertThat(retrain.exitCode()).as(retrain.stderr()).isZero();
    Result verify = verify();
    assertThat(verify.exitCode()).as(verify.stdout()).isZero();
    return capture.json().get("manifest-id").asLong();
  }

  private Result recompute(long snapshot, String version) {
    return run("recompute-features", "--pipeline", "customer_txn_features", "--version", version, "--source",
        mv + ".txn", "--source-snapshot", Long.toString(snapshot), "--target", mv + ".customer_features", "--reason", "t");
  }

  private Result verify(String... more) {
    List<String> args = new ArrayList<>(List.of("verify", "--system-file", systemFile.toString(), "--json"));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  private static List<String> kinds(JsonNode json) {
    List<String> kinds = new ArrayList<>();
    json.get("findings").forEach(f -> kinds.add(f.get("kind").asText()));
    return kinds;
  }

  @Test
  void verifyBeforeAnyManifestIsBadInput() {
    Result result = verify();
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.json().get("error").asText()).contains("has no manifest yet").contains("manifest capture");
  }

  @Test
  void aCleanSystemCapturesWithTagsAndVerifiesClean() {
    Result dry = run("manifest", "capture", "--system-file", systemFile.toString(), "--dry-run", "--json");
    assertThat(dry.exitCode()).as(dry.stderr()).isZero();
    assertThat(dry.json().get("findings")).isEmpty();

    Result capture = run("manifest", "capture", "--system-file", systemFile.toString(), "--reason", "deploy 1",
        "--actor", "tester", "--json");
    assertThat(capture.exitCode()).as(capture.stderr() + capture.stdout()).isZero();
    JsonNode json = capture.json();
    long manifestId = json.get("manifest-id").asLong();
    JsonNode content = json.get("content");
    assertThat(content.get("datasets").get(0).get("snapshot-id").asLong()).isEqualTo(tuesday);
    JsonNode feature = content.get("features").get(0);
    assertThat(feature.get("pipeline-version").asText()).isEqualTo("1");
    assertThat(feature.get("source-snapshot-id").asLong()).isEqualTo(tuesday);
    assertThat(content.get("models").get(0).get("version").asText()).isEqualTo("7");
    assertThat(content.get("models").get(0).get("trains-on")).hasSize(2);

    String tag = "manifest-" + mv + "-" + manifestId;
    assertThat(table(mv + ".txn").refs().get(tag).snapshotId()).isEqualTo(tuesday);
    assertThat(table(mv + ".customer_features").refs()).containsKey(tag);

    // a model that was never retrained on the pinned snapshots is mixed-version state
    Result untrained = verify();
    assertThat(untrained.exitCode()).isEqualTo(3);
    assertThat(kinds(untrained.json())).containsExactly("model-retrain-missing");
    Result retrain = run("trigger-retrain", "--system-file", systemFile.toString(), "--model", "churn", "--reason",
        "train on deploy 1", "--json");
    assertThat(retrain.exitCode()).as(retrain.stderr()).isZero();

    Result verify = verify();
    assertThat(verify.exitCode()).as(verify.stdout()).isZero();
    assertThat(verify.json().get("status").asText()).isEqualTo("clean");
    assertThat(verify.json().get("manifest-id").asLong()).isEqualTo(manifestId);

    Result list = run("manifest", "list", "--system", mv, "--json");
    assertThat(list.json().get("manifests").get(0).get("manifest-id").asLong()).isEqualTo(manifestId);
    Result show = run("manifest", "show", Long.toString(manifestId));
    assertThat(show.exitCode()).isZero();
    assertThat(show.stdout()).contains(mv + ".txn").contains("customer_txn_features version 1");
  }

  @Test
  void newDataInADatasetIsReportedAndARestoreMakesItClean() {
    captured();
    TxnSource.append(table(mv + ".txn"), TxnSource.rows(TxnSource.SCHEMA, 23, 500, 50), 1);
    Result verify = verify();
    assertThat(verify.exitCode()).isEqualTo(3);
    assertThat(kinds(verify.json())).contains("dataset-content-differs");
    JsonNode finding = verify.json().get("findings").get(0);
    assertThat(finding.get("count").asLong()).isEqualTo(500);
    assertThat(finding.get("message").asText()).contains("500 rows not in the pinned snapshot");

    Result refused = run("manifest", "capture", "--system-file", systemFile.toString(), "--reason", "r", "--json");
    assertThat(refused.exitCode()).isEqualTo(3);
    assertThat(kinds(refused.json())).contains("feature-source-mismatch");
    assertThat(run("manifest", "list", "--system", mv, "--json").json().get("manifests")).hasSize(1);

    // the finding's own suggestion runs as printed
    String message = finding.get("message").asText();
    java.util.regex.Matcher suggested = java.util.regex.Pattern.compile("with '(restore [^']+)'").matcher(message);
    assertThat(suggested.find()).as(message).isTrue();
    assertThat(suggested.group(1)).contains("--to-snapshot " + tuesday);
    java.util.List<String> words = new java.util.ArrayList<>();
    java.util.regex.Matcher word = java.util.regex.Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(suggested.group(1));
    while (word.find()) {
      words.add(word.group(1) != null ? word.group(1) : word.group(2));
    }
    Result restore = run(words.toArray(String[]::new));
    assertThat(restore.exitCode()).as(restore.stderr()).isZero();
    Result clean = verify();
    assertThat(clean.exitCode()).as(clean.stdout()).isZero();
  }

  @Test
  void aFeatureTableComputedFromAnotherSnapshotIsReported() {
    captured();
    assertThat(recompute(monday, "1").exitCode()).isZero();
    Result verify = verify();
    assertThat(verify.exitCode()).isEqualTo(3);
    assertThat(kinds(verify.json())).contains("feature-source-mismatch", "feature-rows-differ");

    assertThat(recompute(tuesday, "2").exitCode()).isZero();
    assertThat(kinds(verify().json())).contains("feature-pipeline-mismatch").doesNotContain("feature-source-mismatch");

    // the system's own recompute takes version and source snapshot from the manifest
    Result fromManifest = run("recompute-features", "--system-file", systemFile.toString(), "--feature",
        "customer_features", "--reason", "back to the manifest", "--json");
    assertThat(fromManifest.exitCode()).as(fromManifest.stderr()).isZero();
    assertThat(fromManifest.json().get("source-snapshot").asLong()).isEqualTo(tuesday);
    Result clean = verify();
    assertThat(clean.exitCode()).as(clean.stdout()).isZero();

    assertThat(run("recompute-features", "--system-file", systemFile.toString(), "--feature", "nope", "--reason",
        "r", "--json").json().get("error").asText()).contains("no feature table named 'nope'")
        .contains("customer_features");
    assertThat(run("recompute-features", "--system-file", systemFile.toString(), "--feature", "customer_features",
        "--target", "x.y", "--reason", "r").exitCode()).isEqualTo(2);
  }

  @Test
  void rowsWrittenWithoutLineageAreReported() {
    captured();
    Table features = table(mv + ".customer_features");
    features.newDelete().deleteFromRowFilter(org.apache.iceberg.expressions.Expressions.alwaysTrue()).commit();
    Result verify = verify();
    assertThat(verify.exitCode()).isEqualTo(3);
    assertThat(kinds(verify.json())).contains("feature-lineage-missing", "feature-rows-differ");
    assertThat(recompute(tuesday, "1").exitCode()).isZero();
    assertThat(verify().exitCode()).isZero();
  }

  @Test
  void anInconsistentCaptureIsAllowedWhenAskedAndRecorded() {
    long manifestId = captured();
    TxnSource.append(table(mv + ".txn"), TxnSource.rows(TxnSource.SCHEMA, 24, 100, 10), 1);
    Result capture = run("manifest", "capture", "--system-file", systemFile.toString(), "--reason", "hotfix",
        "--allow-inconsistent", "--json");
    assertThat(capture.exitCode()).as(capture.stderr()).isZero();
    assertThat(capture.json().get("inconsistent").asBoolean()).isTrue();
    assertThat(kinds(capture.json())).contains("feature-source-mismatch");
    long second = capture.json().get("manifest-id").asLong();

    // the older manifest still verifies as before: the dataset moved on
    assertThat(verify("--manifest", Long.toString(manifestId)).exitCode()).isEqualTo(3);
    assertThat(verify("--manifest", "999999").exitCode()).isEqualTo(2);

    Result retire = run("manifest", "retire", Long.toString(second), "--reason", "superseded", "--json");
    assertThat(retire.exitCode()).as(retire.stderr()).isZero();
    assertThat(table(mv + ".txn").refs()).doesNotContainKey("manifest-" + mv + "-" + second);
    assertThat(table(mv + ".txn").refs()).containsKey("manifest-" + mv + "-" + manifestId);
    assertThat(run("manifest", "retire", Long.toString(second), "--reason", "again", "--json").json()
        .get("status").asText()).isEqualTo("noop");
    // the latest manifest that is not retired is the default again
    assertThat(verify().json().get("manifest-id").asLong()).isEqualTo(manifestId);
  }

  @Test
  void badInputIsRefusedWithExitTwo() {
    assertThat(run("verify", "--json").exitCode()).isEqualTo(2);
    assertThat(run("verify", "--system", "nope", "--json").json().get("error").asText()).contains("no system 'nope'");
    assertThat(run("manifest", "capture", "--system-file", systemFile.toString(), "--json").exitCode()).isEqualTo(2);
    assertThat(run("manifest", "show", "424242", "--json").exitCode()).isEqualTo(2);
  }
}
