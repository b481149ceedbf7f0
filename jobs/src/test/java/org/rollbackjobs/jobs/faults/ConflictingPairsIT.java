package org.rollbackjobs.jobs.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rollbackjobs.jobs.faults.FaultRuns.awaitExecution;
import static org.rollbackjobs.jobs.faults.FaultRuns.count;
import static org.rollbackjobs.jobs.faults.FaultRuns.execute;
import static org.rollbackjobs.jobs.faults.FaultRuns.recompute;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.features.ExpectedFeatures;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.jobs.JarProcess;
import org.rollbackjobs.testing.TestPostgres;
import org.rollbackjobs.vector.testing.Documents;

/**
 * Pairs of conflicting commands of the packaged JAR started at the same moment, each in a JVM of its own: two
 * recomputes into one feature table, two rebuilds of one index, a restore of the table a running recompute reads.
 * Whichever wins, the other is refused (exit 4, naming the running execution) or, if it came after the winner had
 * ended, finds nothing left to do; the end state is that of one run.
 */
class ConflictingPairsIT {
  private static final String CATALOG = "conflicting_pairs_it";

  @TempDir Path warehouse;
  @TempDir Path work;

  private Map<String, String> env() {
    return FaultRuns.env(CATALOG, warehouse, work);
  }

  @Test
  void twoRecomputesIntoOneTarget() throws Exception {
    Catalog catalog = FaultRuns.catalog(CATALOG, warehouse);
    Table source = TxnSource.create(catalog, "shop.pair_txn");
    TxnSource.append(source, TxnSource.rows(TxnSource.SCHEMA, 600, 600_000, 150_000), 12);
    List<JarProcess> pair = startTogether(recompute("shop.pair_txn", "features.pair"),
        recompute("shop.pair_txn", "features.pair"));

    String outcome = oneWinsOtherRefusedOrIdle(pair, "features.pair is being written");
    Table features = catalog.loadTable(TableName.parse("features.pair"));
    assertThat(features.snapshots()).as("one commit").hasSize(1);
    ExpectedFeatures.assertSameRows(ExpectedFeatures.actual(features, 1),
        ExpectedFeatures.customerTxnV2(TxnSource.read(source, null)));
    FaultReport.row("two at once, same target", "recompute-features x2", outcome + "; one commit, rows as one run",
        "none");
  }

  @Test
  void twoRebuildsOfOneIndex() throws Exception {
    Catalog catalog = FaultRuns.catalog(CATALOG, warehouse);
    Documents.create(catalog, "kb.pair_docs", 2000, 4, 53);
    execute("CREATE SCHEMA pairs");
    String[] rebuild = {"rebuild-index", "--index", "docs", "--schema", "pairs", "--create", "--embedding",
        "all-minilm-l6-v2-q", "--source-table", "kb.pair_docs", "--reason", "pair", "--json"};
    List<JarProcess> pair = startTogether(rebuild, rebuild);

    String outcome = oneWinsOtherRefusedOrIdle(pair, "pairs.docs is being");
    assertThat(count("SELECT count(*) FROM pairs.docs")).isEqualTo(2000);
    assertThat(count("SELECT count(DISTINCT doc_id) FROM pairs.docs")).isEqualTo(2000);
    assertThat(count("SELECT count(*) FROM rollback.index_builds WHERE index_schema = 'pairs' AND status = 'serving'"))
        .isEqualTo(1);
    FaultReport.row("two at once, same index", "rebuild-index x2", outcome + "; one serving build, every document"
        + " once", "none");
  }

  @Test
  void aRestoreOfTheTableARunningRecomputeReads() throws Exception {
    Catalog catalog = FaultRuns.catalog(CATALOG, warehouse);
    Table source = TxnSource.create(catalog, "shop.read_txn");
    long first = TxnSource.append(source, TxnSource.rows(TxnSource.SCHEMA, 700, 1_000, 100), 1);
    long second = TxnSource.append(source, TxnSource.rows(TxnSource.SCHEMA, 701, 600_000, 150_000), 12);
    // the JAR's first look at the catalog brings its tables to Iceberg's schema V1 (ALTER TABLE), which the lock
    // below would hold up
    JarProcess.start(env(), "snapshots", "--table", "shop.read_txn", "--json").finish(0);
    // the recompute is held at its catalog commit (a lock held here) while the restore starts: it still runs
    JarProcess recompute;
    long execution;
    JarProcess restore;
    try (Connection blocker = TestPostgres.get().connect()) {
      blocker.setAutoCommit(false);
      try (Statement s = blocker.createStatement()) {
        s.execute("LOCK TABLE iceberg_tables IN SHARE MODE");
      }
      recompute = JarProcess.start(env(), recompute("shop.read_txn", "features.read"));
      execution = awaitExecution(recompute, "recompute-features");
      recompute.awaitAlive("the recompute's commit waits", Duration.ofMillis(20),
          () -> FaultRuns.waitingOnLock("%iceberg_tables%") == 1);
      restore = JarProcess.start(env(), "restore", "--table", "shop.read_txn", "--to-snapshot", Long.toString(first),
          "--reason", "pair", "--json");
      assertThat(restore.exitCode()).as(restore.stderr()).isEqualTo(4);
      blocker.rollback();
    }
    JsonNode recomputed = recompute.finish(0);
    assertThat(recomputed.get("status").asText()).isEqualTo("completed");
    assertThat(restore.json().get("error").asText()).contains("shop.read_txn is being read by recompute-features job"
        + " execution " + execution);
    assertThat(catalog.loadTable(TableName.parse("shop.read_txn")).currentSnapshot().snapshotId())
        .as("the refused restore changed nothing").isEqualTo(second);
    String outcome = "restore refused (exit 4) naming recompute-features job execution " + execution;
    ExpectedFeatures.assertSameRows(ExpectedFeatures.actual(catalog.loadTable(TableName.parse("features.read")), 1),
        ExpectedFeatures.customerTxnV2(TxnSource.read(source, second)));
    FaultReport.row("restore of the source while a recompute reads it", "recompute-features + restore", outcome
        + "; features from the snapshot the recompute pinned", "none");
  }

  private List<JarProcess> startTogether(String[] first, String[] second) throws Exception {
    List<JarProcess> pair = new ArrayList<>();
    pair.add(JarProcess.start(env(), first));
    pair.add(JarProcess.start(env(), second));
    return pair;
  }

  /**
   * One of the pair completed; the other was refused with exit 4 naming the target (and the winner's job execution
   * once that is recorded: the two start within a moment), or (started after the winner ended) found nothing to do.
   * Returns which.
   */
  private static String oneWinsOtherRefusedOrIdle(List<JarProcess> pair, String refusal) throws Exception {
    int[] exits = {pair.get(0).exitCode(), pair.get(1).exitCode()};
    JsonNode[] results = {pair.get(0).json(), pair.get(1).json()};
    int winner = "completed".equals(results[0].get("status").asText()) ? 0 : 1;
    int other = 1 - winner;
    assertThat(exits[winner]).as(pair.get(winner).stderr()).isZero();
    assertThat(results[winner].get("status").asText()).isEqualTo("completed");
    long execution = results[winner].get("job-execution-id").asLong();
    if (exits[other] == 4) {
      String error = results[other].get("error").asText();
      assertThat(error).contains(refusal);
      Matcher named = Pattern.compile("job execution (\\d+)").matcher(error);
      if (named.find()) {
        assertThat(Long.parseLong(named.group(1))).as(error).isEqualTo(execution);
      }
      return "one completed, the other refused (exit 4: \"" + error.replaceFirst(" \\(.*", "") + "\")";
    }
    assertThat(exits[other]).as(pair.get(other).stderr()).isZero();
    assertThat(results[other].get("status").asText()).as("after the winner: nothing to do").isEqualTo("noop");
    return "one completed, the other started after it and had nothing to do (noop)";
  }
}
