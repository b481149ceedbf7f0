package org.rollbackjobs.iceberg.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.PipelineCatalog;
import org.rollbackjobs.iceberg.features.RecomputeFeatures;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.iceberg.verify.DatasetCheck;
import org.rollbackjobs.iceberg.verify.FeatureTableCheck;
import org.rollbackjobs.iceberg.verify.TableFinding;
import org.rollbackjobs.testing.TestPostgres;

/**
 * The Iceberg-side checks of {@code verify} on a large table, side by side with a single-threaded plain scan of
 * the same rows (what any check that looks at every row must at least pay). Not a test; run with
 *
 * <pre>
 * mvn -q -B -pl iceberg test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=org.rollbackjobs.iceberg.bench.VerifyBenchmark -Dexec.args="1000000"
 * </pre>
 */
public final class VerifyBenchmark {
  private VerifyBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int customers = rows / 10;
    Path warehouse = Files.createTempDirectory("verify-benchmark-");
    Catalog catalog = CatalogLoader.load("verify_bench", TestPostgres.get().jdbcCatalogProperties(warehouse));
    Table source = TxnSource.create(catalog, "bench.txn");
    long pinned = TxnSource.append(source, TxnSource.rows(TxnSource.SCHEMA, 1, rows, customers), 8);
    FeaturePipeline pipeline = PipelineCatalog.fromClasspath().get("customer_txn_features", "2");
    RecomputeFeatures.of(catalog).pipeline(pipeline).source("bench.txn").sourceSnapshot(pinned)
        .target("bench.features").commit();
    log("%,d source rows, %,d feature rows; load %s", rows, customers, uptime());

    double scan = plainScan(source, pinned);
    long t = System.nanoTime();
    List<TableFinding> feature = FeatureTableCheck.of(catalog, "bench.features").pipeline(pipeline)
        .source("bench.txn", pinned).run();
    double featureCheck = seconds(t);
    log("plain scan of the source (1 thread):          %6.2f s", scan);
    log("feature table check (fresh keys + table keys): %6.2f s  = %.2f x the scan, findings %d", featureCheck,
        featureCheck / scan, feature.size());

    // a bad load of 10% more rows: the dataset check reads only the differing file
    TxnSource.append(CatalogLoader.loadTable(catalog, "bench.txn"), TxnSource.rows(TxnSource.SCHEMA, 2, rows / 10,
        customers), 1);
    t = System.nanoTime();
    List<TableFinding> dataset = DatasetCheck.of(CatalogLoader.loadTable(catalog, "bench.txn")).named("bench.txn")
        .pinned(pinned).run();
    double datasetCheck = seconds(t);
    log("dataset check (%,d rows appended):           %6.2f s  = %.2f x the scan, %s", rows / 10, datasetCheck,
        datasetCheck / scan, dataset.isEmpty() ? "no finding (WRONG)" : dataset.get(0).count() + " rows reported");
    log("load %s", uptime());
  }

  private static double plainScan(Table table, long snapshot) throws Exception {
    Schema projection = table.schema().select("customer_id", "amount", "category", "ts");
    long t = System.nanoTime();
    long n = 0;
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).useSnapshot(snapshot)
        .select("customer_id", "amount", "category", "ts").build()) {
      for (Record r : records) {
        n += r.size();
      }
    }
    if (n == 0 || projection.columns().isEmpty()) {
      throw new IllegalStateException("empty scan");
    }
    return seconds(t);
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  private static String uptime() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (Exception e) {
      return "unknown";
    }
  }

  private static void log(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
  }
}
