package org.rollbackjobs.jobs.rollback;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.vector.testing.Documents;

/**
 * The system the rollback tests roll back, in a namespace and schema {@code ns} of a test's own: dataset
 * {@code ns.txn}, feature table {@code customer_features} computed from it, index {@code docs} over {@code ns.docs},
 * model {@code churn} trained on both.
 */
public final class RollbackTestSystem {
  private RollbackTestSystem() {}

  /** Creates {@code ns.txn} (two loads) and {@code ns.docs}; returns the snapshot of the second load. */
  public static long createTables(Catalog catalog, String ns, int documents) {
    Table txn = TxnSource.create(catalog, ns + ".txn");
    TxnSource.append(txn, TxnSource.rows(TxnSource.SCHEMA, 31, 1_500, 80), 2);
    long second = TxnSource.append(txn, TxnSource.rows(TxnSource.SCHEMA, 32, 1_500, 120), 2);
    Documents.create(catalog, ns + ".docs", documents, 2, 5);
    return second;
  }

  /** Writes the system file; the model gets a retrain webhook when {@code retrainWebhook} is not null. */
  public static Path writeSystemFile(String ns, String embedding, String retrainWebhook) throws IOException {
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
