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
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.jobs.CliHarness;
import org.rollbackjobs.vector.testing.Documents;
import org.rollbackjobs.vector.testing.Registry;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A system with a vector index, end to end through the commands: built from the system file, captured, broken
 * (newer documents, another embedding model), reported by verify, and rolled back with
 * {@code rebuild-index --system S --index I}, which takes the pins from the manifest. Each test has a system of its
 * own ({@link #system()}), built and captured by {@link #builtAndCaptured()} where it starts from there, and
 * leaves the embedding-version registry as it found it.
 */
class SystemIndexVerifyTest extends CliHarness {
  @Autowired DataSource dataSource;

  /** This test's system name, also the namespace of its table and the schema of its index. */
  String sx;
  Path systemFile;
  Table docs;
  Registry.Snapshot registry;

  @BeforeEach
  void system() throws IOException {
    registry = Registry.snapshot(dataSource);
    // the registry is one per database: other tests may have left either model quarantined
    Registry.deployed(dataSource, org.rollbackjobs.vector.embedding.BuiltInModel.ALL_MINILM_L6_V2_Q.version(),
        org.rollbackjobs.vector.embedding.BuiltInModel.BGE_SMALL_EN_V15_Q.version());
    sx = "sx" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    docs = Documents.create(catalog, sx + ".docs", 30, 2, 5);
    systemFile = Files.createTempDirectory("systems").resolve(sx + ".yml");
    Files.writeString(systemFile, """
        name: SX
        datasets:
          - table: SX.docs
        indexes:
          - name: SX_search
            source: SX.docs
            id-column: id
            text-column: text
            embedding: all-minilm-l6-v2-q
        """.replace("SX", sx));
  }

  @AfterEach
  void restoreTheRegistry() {
    registry.restore();
  }

  /** The index built from the system file and the system captured: it verifies clean. */
  private void builtAndCaptured() {
    Result build = system("rebuild-index", "--index", sx + "_search", "--create", "--reason", "first build");
    assertThat(build.exitCode()).as(build.stderr()).isZero();
    Result capture = system("manifest", "capture", "--reason", "deploy");
    assertThat(capture.exitCode()).as(capture.stderr() + capture.stdout()).isZero();
    Result verify = system("verify");
    assertThat(verify.exitCode()).as(verify.stdout()).isZero();
  }

  private Result system(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--system-file", systemFile.toString(), "--json"));
    return run(all.toArray(String[]::new));
  }

  private static List<String> kinds(JsonNode json) {
    List<String> kinds = new ArrayList<>();
    json.get("findings").forEach(f -> kinds.add(f.get("kind").asText()));
    return kinds;
  }

  @Test
  void builtFromTheSystemFileCapturedAndClean() {
    Result build = system("rebuild-index", "--index", sx + "_search", "--create", "--reason", "first build");
    assertThat(build.exitCode()).as(build.stderr()).isZero();
    Result capture = system("manifest", "capture", "--reason", "deploy");
    assertThat(capture.exitCode()).as(capture.stderr() + capture.stdout()).isZero();
    JsonNode index = capture.json().get("content").get("indexes").get(0);
    assertThat(index.get("embedding-version").asText()).isEqualTo("all-minilm-l6-v2-q");
    assertThat(index.get("source-snapshot-id").asLong()).isEqualTo(docs.currentSnapshot().snapshotId());
    assertThat(index.get("rows").asLong()).isEqualTo(30);
    Result verify = system("verify");
    assertThat(verify.exitCode()).as(verify.stdout()).isZero();
  }

  @Test
  void anIndexOfNewerDocumentsIsReportedAndTheSystemRebuildRollsItBack() {
    builtAndCaptured();
    long pinned = docs.currentSnapshot().snapshotId();
    Documents.append(table(sx + ".docs"), 1_000, 4, 1, 6);
    Result newer = run("rebuild-index", "--index", sx + "_search", "--embedding", "all-minilm-l6-v2-q",
        "--source-table", sx + ".docs", "--reason", "nightly", "--json");
    assertThat(newer.exitCode()).as(newer.stderr()).isZero();

    Result verify = system("verify");
    assertThat(verify.exitCode()).isEqualTo(3);
    assertThat(kinds(verify.json())).contains("dataset-content-differs", "index-stale-build", "index-extra-documents");

    assertThat(run("restore", "--table", sx + ".docs", "--to-snapshot", Long.toString(pinned), "--reason", "r")
        .exitCode()).isZero();
    Result rollback = system("rebuild-index", "--index", sx + "_search", "--reason", "back to the manifest");
    assertThat(rollback.exitCode()).as(rollback.stderr()).isZero();
    Result clean = system("verify");
    assertThat(clean.exitCode()).as(clean.stdout()).isZero();
  }

  @Test
  void vectorsOfAnotherModelAreReportedAndTheSystemRebuildRollsThemBack() {
    builtAndCaptured();
    Result other = run("rebuild-index", "--index", sx + "_search", "--embedding", "bge-small-en-v15-q",
        "--source-table", sx + ".docs", "--reason", "new model", "--json");
    assertThat(other.exitCode()).as(other.stderr()).isZero();
    Result verify = system("verify");
    assertThat(verify.exitCode()).isEqualTo(3);
    assertThat(kinds(verify.json())).contains("index-stale-build", "index-mixed-embedding-versions");
    JsonNode mixed = verify.json().get("findings").get(kinds(verify.json()).indexOf("index-mixed-embedding-versions"));
    assertThat(mixed.get("count").asLong()).isEqualTo(30);

    Result rollback = system("rebuild-index", "--index", sx + "_search", "--reason", "back to the pinned model");
    assertThat(rollback.exitCode()).as(rollback.stderr()).isZero();
    assertThat(system("verify").exitCode()).isZero();
  }
}
