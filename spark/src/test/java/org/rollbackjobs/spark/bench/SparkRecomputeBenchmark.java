package org.rollbackjobs.spark.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.rollbackjobs.iceberg.bench.RecomputeBenchmark;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.PipelineCatalog;
import org.rollbackjobs.iceberg.features.RecomputeFeatures;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.spark.SparkFeatureRecompute;
import org.rollbackjobs.spark.SparkSettings;
import org.rollbackjobs.spark.testing.SparkConnectTestServer;
import org.rollbackjobs.testing.TestPostgres;

/**
 * The Spark engine against the embedded engine on the same machine, same table and snapshot, interleaved:
 *
 * <pre>
 * mvn -q -B -pl spark -am install -DskipTests
 * mvn -q -B -pl spark test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=org.rollbackjobs.spark.bench.SparkRecomputeBenchmark \
 *     -Dexec.args="--rows 5000000 --repeats 3"
 * </pre>
 *
 * Both engines run through their library API from this JVM: the embedded one computes here (2 worker threads),
 * the Spark one on a Spark Connect server in local mode ({@code local[2]}, its own JVM with {@code -Xmx1g}) on the
 * same 2 cores. Each pair (embedded, Spark; the order alternates) writes new feature tables; the outputs are checked
 * equal (row count and the total of amount_sum). Then the fixed cost: the same pipeline over a 1,000-row table,
 * several times each. The 1-minute load average is printed with every measure. Options: {@code --rows} (default 5
 * million), {@code --customers} (100,000), {@code --files} (20), {@code --version} (customer_txn_features version,
 * 2), {@code --repeats} (3), {@code --small-repeats} (5).
 */
public final class SparkRecomputeBenchmark {
  private SparkRecomputeBenchmark() {}

  private record Run(String engine, double seconds, double loadBefore, double loadAfter, long rows, double total) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = options(args);
    long rows = Long.parseLong(options.getOrDefault("rows", "5000000"));
    int customers = Integer.parseInt(options.getOrDefault("customers", "100000"));
    int files = Integer.parseInt(options.getOrDefault("files", "20"));
    String version = options.getOrDefault("version", "2");
    int repeats = Integer.parseInt(options.getOrDefault("repeats", "3"));
    int smallRepeats = Integer.parseInt(options.getOrDefault("small-repeats", "5"));

    Path warehouse = Files.createTempDirectory("spark-bench-warehouse");
    Map<String, String> catalogProperties = TestPostgres.get().jdbcCatalogProperties(warehouse);
    Catalog catalog = CatalogLoader.load("spark_bench_" + UUID.randomUUID().toString().substring(0, 8),
        catalogProperties);
    FeaturePipeline pipeline = PipelineCatalog.fromClasspath().get("customer_txn_features", version);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    log("generating %,d rows over %,d customers in %d files", rows, customers, files);
    Table big = RecomputeBenchmark.generate(catalog, "bench.txn", rows, customers, files, pool);
    Table small = RecomputeBenchmark.generate(catalog, "bench.small", 1_000, 100, 1, pool);
    pool.shutdown();
    long bytes = big.currentSnapshot().summary().containsKey("total-files-size")
        ? Long.parseLong(big.currentSnapshot().summary().get("total-files-size")) : 0;

    log("starting the Spark Connect server (local[2])");
    long started = System.nanoTime();
    try (SparkConnectTestServer server = SparkConnectTestServer.start(
        Map.of("spark.connect.progress.reportInterval", "2s"), warehouse.resolve("spark-connect-server.log"))) {
      double serverStart = (System.nanoTime() - started) / 1e9;
      SparkSettings settings = new SparkSettings(server.remote(), null, Map.of());
      // warm both (JIT here, the server's first session and query)
      run(catalog, catalogProperties, settings, pipeline, small, "embedded", "warm_e");
      run(catalog, catalogProperties, settings, pipeline, small, "spark", "warm_s");

      List<Run> embedded = new ArrayList<>();
      List<Run> spark = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      for (int r = 0; r < repeats; r++) {
        boolean embeddedFirst = r % 2 == 0;
        Run first = run(catalog, catalogProperties, settings, pipeline, big, embeddedFirst ? "embedded" : "spark",
            "big_" + r + "_1");
        Run second = run(catalog, catalogProperties, settings, pipeline, big, embeddedFirst ? "spark" : "embedded",
            "big_" + r + "_2");
        Run e = embeddedFirst ? first : second;
        Run s = embeddedFirst ? second : first;
        check(e, s);
        embedded.add(e);
        spark.add(s);
        ratios.add(s.seconds() / e.seconds());
        log("pair %d: embedded %.2f s, spark %.2f s, spark/embedded %.2f", r + 1, e.seconds(), s.seconds(),
            s.seconds() / e.seconds());
      }
      List<Run> smallEmbedded = new ArrayList<>();
      List<Run> smallSpark = new ArrayList<>();
      for (int r = 0; r < smallRepeats; r++) {
        smallEmbedded.add(run(catalog, catalogProperties, settings, pipeline, small, "embedded", "small_" + r + "_e"));
        smallSpark.add(run(catalog, catalogProperties, settings, pipeline, small, "spark", "small_" + r + "_s"));
      }

      System.out.printf(Locale.ROOT, "%n%,d rows (%,d bytes of Parquet in %d files), %,d customers, customer_txn_features"
          + " version %s, %d interleaved pairs; Spark Connect server start %.1f s (not counted); %d cores%n%n",
          rows, bytes, files, customers, version, repeats, serverStart, Runtime.getRuntime().availableProcessors());
      System.out.printf(Locale.ROOT, "| engine | median | min | max | rows/s (median) | load before/after (each run) |%n"
          + "| --- | ---: | ---: | ---: | ---: | --- |%n");
      row("embedded (this JVM, 2 threads)", embedded, rows);
      row("spark (Spark Connect, local[2])", spark, rows);
      row("embedded, 1,000 rows (fixed cost)", smallEmbedded, 1_000);
      row("spark, 1,000 rows (fixed cost)", smallSpark, 1_000);
      System.out.printf(Locale.ROOT, "%nspark/embedded per pair: %s; median %.2f%n", format(ratios), median(ratios));
      System.out.printf(Locale.ROOT, "fixed cost, spark minus embedded (medians): %.2f s%n",
          median(seconds(smallSpark)) - median(seconds(smallEmbedded)));
      // the Spark Connect client can leave this thread's interrupt flag set when its last session closes; the
      // server's stop below would then fail at once ("sleep interrupted") and leave it running
      Thread.interrupted();
    }
  }

  private static Run run(Catalog catalog, Map<String, String> catalogProperties, SparkSettings settings,
      FeaturePipeline pipeline, Table source, String engine, String suffix) {
    String target = "features." + engine.charAt(0) + "_" + suffix;
    double load = load();
    long started = System.nanoTime();
    if (engine.equals("embedded")) {
      RecomputeFeatures.of(catalog).pipeline(pipeline).source(source.name().substring(source.name().indexOf('.') + 1))
          .target(target).threads(2).commit();
    } else {
      RecomputePlan plan = RecomputeFeatures.of(catalog).pipeline(pipeline)
          .source(source.name().substring(source.name().indexOf('.') + 1)).target(target).threads(2).plan();
      SparkFeatureRecompute.of(catalog, catalogProperties, settings).pipeline(pipeline).plan(plan).commit();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    Table written = catalog.loadTable(TableIdentifier.parse(target));
    long rows = 0;
    double total = 0;
    for (Record r : TxnSource.read(written, null)) {
      rows++;
      Object sum = r.getField("amount_sum");
      total += sum == null ? 0 : (Double) sum;
    }
    return new Run(engine, seconds, load, load(), rows, total);
  }

  private static void check(Run embedded, Run spark) {
    if (embedded.rows() != spark.rows()
        || Math.abs(embedded.total() - spark.total()) > 1e-9 * Math.abs(embedded.total()) + 1e-6) {
      throw new IllegalStateException("the engines disagree: embedded " + embedded.rows() + " rows, total "
          + embedded.total() + "; spark " + spark.rows() + " rows, total " + spark.total());
    }
    log("outputs equal: %,d rows, total amount_sum %.2f", spark.rows(), spark.total());
  }

  private static void row(String label, List<Run> runs, long rows) {
    List<Double> s = seconds(runs);
    StringBuilder loads = new StringBuilder();
    runs.forEach(r -> loads.append(String.format(Locale.ROOT, "%s%.2f/%.2f", loads.length() == 0 ? "" : ", ",
        r.loadBefore(), r.loadAfter())));
    System.out.printf(Locale.ROOT, "| %s | %.2f s | %.2f s | %.2f s | %,.0f | %s |%n", label, median(s),
        Collections.min(s), Collections.max(s), rows / median(s), loads);
  }

  private static List<Double> seconds(List<Run> runs) {
    return runs.stream().map(Run::seconds).toList();
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String format(List<Double> values) {
    return String.join(", ", values.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList());
  }

  private static double load() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + args[i] + "'; options are --name value");
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    return options;
  }

  private static void log(String format, Object... args) {
    System.err.printf(Locale.ROOT, "[bench] " + format + "%n", args);
  }
}
