package org.rollbackjobs.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.iceberg.features.FeatureLineage;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.testing.CommitCuttingProxy;
import org.rollbackjobs.testing.CommitCuttingProxy.Cut;
import org.rollbackjobs.testing.TestPostgres;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * recompute-features whose commit lands while the catalog's connection drops and stays down: exit 1 with one line
 * that says the outcome is unknown and how to continue; {@code restart --execution ID} finds the commit and makes
 * no second one.
 */
class RecomputeCommitOutcomeTest extends CliHarness {
  static CommitCuttingProxy proxy;

  @DynamicPropertySource
  static void catalogThroughProxy(DynamicPropertyRegistry registry) {
    TestPostgres db = TestPostgres.get();
    proxy = CommitCuttingProxy.to(db.jdbcUrl());
    registry.add("rollback.iceberg.catalog-name", () -> "commit_outcome");
    registry.add("rollback.iceberg.catalog.uri", () -> proxy.jdbcUrl(db.jdbcUrl()));
    registry.add("rollback.iceberg.catalog.jdbc.user", db::user);
    registry.add("rollback.iceberg.catalog.jdbc.password", db::password);
  }

  @AfterAll
  static void closeProxy() throws IOException {
    proxy.close();
  }

  private Result recompute() {
    return run("recompute-features", "--pipeline", "customer_txn_features", "--version", "1", "--source",
        "commit_outcome.txn", "--target", "commit_outcome.features", "--reason", "commit outcome", "--json");
  }

  @Test
  void aCommitThatLandedWhileTheCatalogWentAwayIsFoundByTheRestart() {
    Table source = TxnSource.create(catalog, "commit_outcome.txn");
    TxnSource.append(source, TxnSource.rows(TxnSource.SCHEMA, 21, 2_000, 100), 2);
    Result first = recompute(); // creates the feature table (an INSERT, not cut)
    assertThat(first.exitCode()).as(first.stderr()).isZero();
    TxnSource.append(source, TxnSource.rows(TxnSource.SCHEMA, 22, 2_000, 150), 2);
    int snapshotsBefore = snapshots(table("commit_outcome.features")).size();

    proxy.armWithOutage(Cut.LANDED);
    Result cut = recompute();
    proxy.endOutage();

    assertThat(proxy.cuts()).isEqualTo(1);
    assertThat(cut.exitCode()).as(cut.stdout() + cut.stderr()).isEqualTo(1);
    List<String> errors = cut.stderr().lines().filter(l -> !l.isBlank()).toList();
    System.out.println("recompute-features with its commit cut: exit " + cut.exitCode() + ", stderr " + errors);
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0)).contains("commit_outcome.features").contains("outcome is unknown")
        .contains("restart --execution").doesNotContain("Exception:");
    Table afterCut = table("commit_outcome.features");
    assertThat(snapshots(afterCut)).as("the commit landed once").hasSize(snapshotsBefore + 1);
    String runId = afterCut.currentSnapshot().summary().get(FeatureLineage.RUN_ID);
    long execution = Long.parseLong(afterCut.currentSnapshot().summary().get(FeatureLineage.JOB_EXECUTION));
    assertThat(errors.get(0)).contains("restart --execution " + execution);

    Result restarted = run("restart", "--execution", Long.toString(execution), "--json");
    assertThat(restarted.exitCode()).as(restarted.stderr()).isZero();
    JsonNode json = restarted.json();
    assertThat(json.get("status").asText()).isEqualTo("completed");
    Table afterRestart = table("commit_outcome.features");
    assertThat(snapshots(afterRestart)).as("no second commit").hasSize(snapshotsBefore + 1);
    assertThat(afterRestart.currentSnapshot().summary()).containsEntry(FeatureLineage.RUN_ID, runId)
        .containsEntry(FeatureLineage.PIPELINE, "customer_txn_features");
  }

  private static List<Snapshot> snapshots(Table table) {
    table.refresh();
    List<Snapshot> all = new ArrayList<>();
    table.snapshots().forEach(all::add);
    return all;
  }
}
