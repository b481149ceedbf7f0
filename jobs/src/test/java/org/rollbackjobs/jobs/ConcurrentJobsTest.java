package org.rollbackjobs.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.rollbackjobs.iceberg.features.ExpectedFeatures.actual;
import static org.rollbackjobs.iceberg.features.ExpectedFeatures.assertSameRows;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.iceberg.data.GenericDataFiles;
import org.rollbackjobs.iceberg.features.ExpectedFeatures;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.jobs.demo.DemoTable;
import org.rollbackjobs.vector.embedding.BuiltInModel;
import org.rollbackjobs.vector.source.Document;
import org.rollbackjobs.vector.source.DocumentCursor;
import org.rollbackjobs.vector.source.IcebergDocumentSource;
import org.rollbackjobs.vector.testing.Documents;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Jobs side by side in one application context, as {@code rollback}, {@code drill} and the scheduler run them:
 * two recomputes of different feature tables from different sources, a restore and an index rebuild, started
 * together. Each must give what it gives alone, so no per-run state may be shared between them.
 */
class ConcurrentJobsTest extends CliHarness {
  static final String MODEL = "all-minilm-l6-v2-q";
  static final int DOCUMENTS = 48;

  @Autowired JdbcTemplate jdbc;

  @Test
  void twoRecomputesARestoreAndAnIndexRebuildAtOnceEachGiveTheirOwnResult() throws Exception {
    // different sources, sizes and split counts: a run handed another's table or plan would show
    Table sourceA = TxnSource.create(catalog, "conc.txn_a");
    long snapshotA = TxnSource.append(sourceA, TxnSource.rows(TxnSource.SCHEMA, 31, 8_000, 250), 4);
    Table sourceB = TxnSource.create(catalog, "conc.txn_b");
    long snapshotB = TxnSource.append(sourceB, TxnSource.rows(TxnSource.SCHEMA, 32, 5_000, 600), 3);
    DemoTable.Versions orders = DemoTable.create(catalog, "conc.orders");
    Table articles = Documents.create(catalog, "kb.conc_articles", DOCUMENTS, 2, 7);
    jdbc.execute("CREATE SCHEMA IF NOT EXISTS conc");

    Map<String, String[]> commands = new LinkedHashMap<>();
    commands.put("recompute A", recompute("1", "conc.txn_a", "features.conc_a"));
    commands.put("recompute B", recompute("2", "conc.txn_b", "features.conc_b"));
    commands.put("restore", new String[] {"restore", "--table", "conc.orders", "--to-snapshot",
        Long.toString(orders.monday()), "--reason", "concurrent restore", "--json"});
    commands.put("rebuild", new String[] {"rebuild-index", "--index", "conc_docs", "--schema", "conc", "--create",
        "--embedding", MODEL, "--source-table", "kb.conc_articles", "--reason", "concurrent rebuild", "--json"});

    Map<String, Result> results = runTogether(commands);
    results.forEach((name, result) -> assertThat(result.exitCode()).as(name + ": " + result.stderr()).isZero());

    assertSameRows(actual(table("features.conc_a"), 1),
        ExpectedFeatures.customerTxnV1(TxnSource.read(table("conc.txn_a"), snapshotA)));
    assertSameRows(actual(table("features.conc_b"), 1),
        ExpectedFeatures.customerTxnV2(TxnSource.read(table("conc.txn_b"), snapshotB)));

    Table restored = table("conc.orders");
    assertThat(rows(restored, null)).isEqualTo(rows(restored, orders.monday())).hasSize(3);

    assertThat(jdbc.queryForList("SELECT embedding_version || '=' || count(DISTINCT doc_id) FROM conc.conc_docs"
        + " GROUP BY embedding_version", String.class)).containsExactly(MODEL + "=" + DOCUMENTS);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM conc.conc_docs WHERE source_snapshot = ?", Long.class,
        articles.currentSnapshot().snapshotId())).isEqualTo(DOCUMENTS);
    assertSameVectorsAsTheModelAlone(articles);
  }

  private static String[] recompute(String version, String source, String target) {
    return new String[] {"recompute-features", "--pipeline", "customer_txn_features", "--version", version,
        "--source", source, "--target", target, "--reason", "concurrent " + target, "--json"};
  }

  /** Runs every command on its own thread, all released at the same moment. */
  private Map<String, Result> runTogether(Map<String, String[]> commands) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(commands.size());
    CountDownLatch ready = new CountDownLatch(commands.size());
    CountDownLatch go = new CountDownLatch(1);
    try {
      Map<String, Future<Result>> running = new LinkedHashMap<>();
      commands.forEach((name, args) -> running.put(name, threads.submit((Callable<Result>) () -> {
        ready.countDown();
        go.await();
        return run(args);
      })));
      assertThat(ready.await(1, TimeUnit.MINUTES)).isTrue();
      go.countDown();
      Map<String, Result> results = new LinkedHashMap<>();
      for (var entry : running.entrySet()) {
        results.put(entry.getKey(), entry.getValue().get(10, TimeUnit.MINUTES));
      }
      return results;
    } finally {
      threads.shutdownNow();
    }
  }

  /** The vectors served are the model's own for each document's text, computed here independently. */
  private void assertSameVectorsAsTheModelAlone(Table articles) {
    List<Document> documents = new ArrayList<>();
    try (DocumentCursor all = IcebergDocumentSource.of(articles, null, "id", "text").open(0)) {
      all.forEachRemaining(documents::add);
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<float[]> expected;
    try {
      expected = BuiltInModel.ALL_MINILM_L6_V2_Q.embedder(pool).embed(documents.stream().map(Document::text).toList());
    } finally {
      pool.shutdownNow();
    }
    Map<Long, float[]> served = new LinkedHashMap<>();
    jdbc.query("SELECT doc_id, embedding::text FROM conc.conc_docs", rs -> {
      String[] parts = rs.getString(2).replaceAll("[\\[\\]]", "").split(",");
      float[] vector = new float[parts.length];
      for (int i = 0; i < parts.length; i++) {
        vector[i] = Float.parseFloat(parts[i]);
      }
      served.put(rs.getLong(1), vector);
    });
    for (int d = 0; d < documents.size(); d++) {
      float[] vector = served.get(((Number) documents.get(d).id()).longValue());
      assertThat(vector).as("document " + documents.get(d).id()).isNotNull().hasSameSizeAs(expected.get(d));
      for (int i = 0; i < vector.length; i++) {
        assertThat(vector[i]).as("document " + documents.get(d).id()).isCloseTo(expected.get(d)[i], within(1e-5f));
      }
    }
  }

  private static List<String> rows(Table table, Long snapshotId) {
    return GenericDataFiles.read(table, snapshotId).stream().map(Record::toString)
        .sorted(Comparator.naturalOrder()).toList();
  }
}
