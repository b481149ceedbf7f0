package org.rollbackjobs.jobs.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.jobs.CliHarness;
import org.rollbackjobs.vector.embedding.BuiltInModel;
import org.rollbackjobs.vector.testing.Registry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The rollback tests' system ({@link RollbackTestSystem}) in its known-good state, a namespace and schema of each
 * test's own: features computed, index built with the good model, manifest 1 captured, the model retrained on it;
 * and the incident that makes it mixed: a bad load, a nightly recompute with pipeline version 2, the index rebuilt
 * with another model of the same dimension, manifest 2, the model retrained on that.
 */
public abstract class RollbackSystemHarness extends CliHarness {
  protected static final String GOOD_MODEL = "all-minilm-l6-v2-q";
  protected static final String OTHER_MODEL = "bge-small-en-v15-q";

  @Autowired protected DataSource dataSource;
  @Autowired protected JdbcTemplate jdbc;
  @Autowired protected SystemLock lock;

  protected String ns;
  protected Path systemFile;
  protected long tuesday;
  protected long goodManifest;
  private Registry.Snapshot registry;

  @BeforeEach
  void knownGoodSystem() throws IOException {
    registry = Registry.snapshot(dataSource);
    // the registry is one per database: this system starts with the good model deployed, the other one never served
    Registry.deployed(dataSource, BuiltInModel.ALL_MINILM_L6_V2_Q.version(), BuiltInModel.BGE_SMALL_EN_V15_Q.version());
    jdbc.update("UPDATE rollback.embedding_versions SET status = 'registered', quarantined_by_build = NULL"
        + " WHERE name = ?", OTHER_MODEL);
    ns = "rb" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    jdbc.execute("CREATE SCHEMA " + ns);
    tuesday = RollbackTestSystem.createTables(catalog, ns, 30);
    systemFile = RollbackTestSystem.writeSystemFile(ns, GOOD_MODEL, null);
    ok(run("recompute-features", "--system-file", systemFile.toString(), "--feature", "customer_features",
        "--reason", "first computation"));
    ok(run("rebuild-index", "--system-file", systemFile.toString(), "--index", "docs", "--create",
        "--reason", "first build"));
    goodManifest = capture("deploy 1");
    ok(run("trigger-retrain", "--system-file", systemFile.toString(), "--model", "churn", "--reason", "deploy 1"));
    ok(verify(goodManifest));
  }

  @AfterEach
  void restoreTheRegistry() {
    registry.restore();
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
}
