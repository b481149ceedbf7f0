package org.rollbackjobs.jobs.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.AfterEach;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.jobs.CliHarness;
import org.rollbackjobs.vector.embedding.BuiltInModel;
import org.rollbackjobs.vector.testing.Documents;
import org.rollbackjobs.vector.testing.Registry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The system the rollback tests roll back (and the drill tests rehearse), in a namespace and schema {@code ns} of a
 * test's own: dataset {@code ns.txn}, feature table {@code customer_features} computed from it, index {@code docs}
 * over {@code ns.docs}, model {@code churn} trained on both. {@link #knownGoodSystem} brings it to its known-good
 * state (manifest 1), {@link #incident()} makes it mixed.
 */
public abstract class RollbackTestSystem extends CliHarness {
  protected static final String GOOD_MODEL = "all-minilm-l6-v2-q";
  protected static final String OTHER_MODEL = "bge-small-en-v15-q";

  @Autowired protected DataSource dataSource;
  @Autowired protected JdbcTemplate jdbc;
  @Autowired protected SystemLock lock;

  protected String ns;
  protected Path systemFile;
  /** The snapshot of the dataset's second load: the known-good one. */
  protected long tuesday;
  protected long goodManifest;
  private Registry.Snapshot registry;

  /**
   * The known-good system in a new namespace {@code prefix + random}: features computed, index built with the good
   * model, manifest 1 captured, the model retrained on it (through {@code retrainWebhook} when not null), verify
   * clean. The embedding registry is one per database: the good model starts deployed, the other one never served;
   * the registry is restored after the test.
   */
  protected void knownGoodSystem(String prefix, int documents, String retrainWebhook) throws IOException {
    registry = Registry.snapshot(dataSource);
    Registry.deployed(dataSource, BuiltInModel.ALL_MINILM_L6_V2_Q.version(), BuiltInModel.BGE_SMALL_EN_V15_Q.version());
    jdbc.update("UPDATE rollback.embedding_versions SET status = 'registered', quarantined_by_build = NULL"
        + " WHERE name = ?", OTHER_MODEL);
    ns = prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    jdbc.execute("CREATE SCHEMA " + ns);
    tuesday = createTables(catalog, ns, documents);
    systemFile = writeSystemFile(ns, GOOD_MODEL, retrainWebhook);
    ok(run("recompute-features", "--system-file", systemFile.toString(), "--feature", "customer_features",
        "--reason", "deploy 1"));
    ok(run("rebuild-index", "--system-file", systemFile.toString(), "--index", "docs", "--create",
        "--reason", "deploy 1"));
    goodManifest = capture("deploy 1");
    ok(run("trigger-retrain", "--system-file", systemFile.toString(), "--model", "churn", "--reason", "deploy 1"));
    ok(verify(goodManifest));
  }

  @AfterEach
  void restoreTheRegistry() {
    if (registry != null) {
      registry.restore();
    }
  }

  /** The incident: bad load, nightly recompute with v2, index rebuilt with the other model, model retrained. */
  protected void incident() {
    TxnSource.append(table(ns + ".txn"), TxnSource.rows(TxnSource.SCHEMA, 33, 400, 40), 1);
    ok(run("recompute-features", "--pipeline", "customer_txn_features", "--version", "2", "--source", ns + ".txn",
        "--target", ns + ".customer_features", "--reason", "nightly"));
    ok(run("rebuild-index", "--index", "docs", "--schema", ns, "--embedding", OTHER_MODEL, "--source-table",
        ns + ".docs", "--id-column", "id", "--text-column", "text", "--reason", "new embedding model"));
    capture("deploy 2");
    ok(run("trigger-retrain", "--system-file", systemFile.toString(), "--model", "churn", "--reason", "deploy 2"));
    assertThat(verify(goodManifest).exitCode()).isEqualTo(3);
  }

  protected long capture(String reason) {
    Result capture = ok(run("manifest", "capture", "--system-file", systemFile.toString(), "--reason", reason,
        "--json"));
    return capture.json().get("manifest-id").asLong();
  }

  protected Result verify(long manifest) {
    return run("verify", "--system-file", systemFile.toString(), "--manifest", Long.toString(manifest), "--json");
  }

  protected static Result ok(Result result) {
    assertThat(result.exitCode()).as(result.stderr() + result.stdout()).isZero();
    return result;
  }

  /** Creates {@code ns.txn} (two loads) and {@code ns.docs}; returns the snapshot of the second load. */
  static long createTables(Catalog catalog, String ns, int documents) {
    Table txn = TxnSource.create(catalog, ns + ".txn");
    TxnSource.append(txn, TxnSource.rows(TxnSource.SCHEMA, 31, 1_500, 80), 2);
    long second = TxnSource.append(txn, TxnSource.rows(TxnSource.SCHEMA, 32, 1_500, 120), 2);
    Documents.create(catalog, ns + ".docs", documents, 2, 5);
    return second;
  }

  /** Writes the system file; the model gets a retrain webhook when {@code retrainWebhook} is not null. */
  static Path writeSystemFile(String ns, String embedding, String retrainWebhook) throws IOException {
    Path file = Files.createTempDirectory("systems").resolve(ns + ".yml");
    String trigger = retrainWebhook == null ? "" : "    trigger:\n      webhook: " + retrainWebhook + "\n";
    Files.writeString(file, """
        name: NS
        datasets:
          - table: NS.txn
        features:
          - name: customer_features
            source: NS.txn
            pipeline: customer_txn_features
            target: NS.customer_features
            version: "1"
        indexes:
          - name: docs
            schema: NS
            source: NS.docs
            id-column: id
            text-column: text
            embedding: GOOD
        models:
          - name: churn
            version: "7"
            trains-on: [NS.txn, NS.customer_features]
        """.replace("NS", ns).replace("GOOD", embedding) + trigger);
    return file;
  }
}
