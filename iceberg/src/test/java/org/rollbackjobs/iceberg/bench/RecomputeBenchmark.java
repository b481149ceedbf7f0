package org.rollbackjobs.iceberg.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.parquet.Parquet;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.features.PipelineCatalog;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.testing.TestPostgres;

/**
 * The recompute-features job against the physical limit, side by side in one run. Not a test (surefire
 * excludes {@code *Benchmark}); build the JAR, then run it with
 *
 * <pre>
 * mvn -q -B -pl jobs -am package -DskipTests
 * mvn -q -B -pl iceberg test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=org.rollbackjobs.iceberg.bench.RecomputeBenchmark -Dexec.args="--rows 20000000"
 * </pre>
 *
 * <p>It generates a transactions table ({@code --rows}, default 20 million, {@code --customers}, {@code --files}
 * Parquet files) in a JDBC catalog on the test PostgreSQL, then measures: (1) a plain scan of the pipeline's input
 * columns with Iceberg's generic Parquet reader, one thread per core over the file scan tasks, every value touched
 * (the physical limit of any job reading those rows), in this JVM and in a fresh one; the fresh one is timed as the
 * job times itself, from loading the table through planning and reading; (2) the job in a child JVM with a fixed
 * {@code -Xmx} ({@code --xmx}, default 512m), started both ways, {@code java -jar} and the launcher
 * {@code jobs/bin/rollback-jobs}: its own duration (plan, map, reduce, commit; JVM start excluded) and its peak
 * heap from the GC log. The job's result is checked against an independent streaming computation, both ways.
 *
 * <p>The default is 20 million rows because a job pays about two seconds once (a cold JVM's planning, reduce and
 * commit, which the scan has no counterpart for): at 5 million rows that is 40% of the job, so the ratio there
 * says more about the fixed part than about throughput; the map step against the scan's reading, also printed,
 * compares the part that grows with the rows. Options: {@code --version} (customer_txn_features version, default
 * 2), {@code --repeats}, {@code --jar}, {@code --java-options} (more options for the job JVM),
 * {@code --keep-warehouse}.
 */
public final class RecomputeBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern GC = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)(?: ([\\d.]+)ms)?");

  private RecomputeBenchmark() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    Map<String, String> options = parse(args);
    long rows = Long.parseLong(options.getOrDefault("rows", "20000000"));
    int customers = Integer.parseInt(options.getOrDefault("customers", "100000"));
    int files = Integer.parseInt(options.getOrDefault("files", "20"));
    String version = options.getOrDefault("version", "2");
    String xmx = options.getOrDefault("xmx", "512m");
    int repeats = Integer.parseInt(options.getOrDefault("repeats", "2"));
    int threads = Runtime.getRuntime().availableProcessors();
    Path jar = options.containsKey("jar") ? Path.of(options.get("jar")) : inRepository("jobs/target/rollback-jobs.jar",
        "build it first (mvn -pl jobs -am package -DskipTests) or give --jar");
    Path launcher = inRepository("jobs/bin/rollback-jobs", "run the benchmark from the repository"); // runs any --jar

    Path warehouse = Files.createTempDirectory("recompute-benchmark-");
    TestPostgres db = TestPostgres.get();
    String catalogName = "recompute_bench";
    Catalog catalog = CatalogLoader.load(catalogName, db.jdbcCatalogProperties(warehouse));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long start = System.nanoTime();
      Table source = generate(catalog, rows, customers, files, pool);
      log("generated %,d rows over %,d customers in %d Parquet files (%,d MB) in %.1f s", rows, customers, files,
          source.currentSnapshot().summary().containsKey("total-files-size")
              ? Long.parseLong(source.currentSnapshot().summary().get("total-files-size")) >> 20 : -1,
          (System.nanoTime() - start) / 1e9);

      Schema inputs = new Schema(PipelineCatalog.fromClasspath().get("customer_txn_features", version).inputColumns().stream()
          .map(c -> source.schema().findField(c.name())).toList());
      // interleaved, so that both see the same machine: scan, job, scan, job, ..., scan
      List<Scan> scans = new ArrayList<>();
      List<Scan> coldScans = new ArrayList<>();
      List<JobRun> runs = new ArrayList<>();
      List<JobRun> launched = new ArrayList<>();
      Path cache = Files.createDirectories(warehouse.resolve("launcher-cache"));
      Launch jarLaunch = Launch.jar(jar, xmx, options.getOrDefault("java-options", ""));
      Launch scriptLaunch = Launch.script(launcher, jar, cache, xmx, options.getOrDefault("java-options", ""));
      scriptLaunch.extract(); // once, as a first launch would: not part of any timed run
      for (int i = 0; i <= repeats; i++) {
        Scan scan = plainScan(source, inputs, pool, rows);
        scans.add(scan);
        log("plain scan %d of %s: %.2f s (CPU %.2f s), %,.0f rows/s", i + 1, columns(inputs), scan.seconds(),
            scan.cpuSeconds(), rows / scan.seconds());
        if (i == repeats) {
          break;
        }
        Scan cold = coldScan(xmx, db, warehouse, catalogName, inputs, rows);
        coldScans.add(cold);
        log("plain scan in a fresh JVM -Xmx%s %d: %.2f s (CPU %.2f s), %,.0f rows/s; reading alone %.2f s (CPU %.2f s)",
            xmx, i + 1, cold.seconds(), cold.cpuSeconds(), rows / cold.seconds(), cold.readSeconds(), cold.readCpuSeconds());
        for (Launch launch : List.of(jarLaunch, scriptLaunch)) {
          JobRun run = job(launch, db, warehouse, catalogName, version, "bench.features_" + launch.name + "_" + i);
          (launch == jarLaunch ? runs : launched).add(run);
          log("job run %d (%s): %.2f s (CPU %.2f s; JVM %.2f s), %,.0f rows/s, heap before GC max %d MB, after GC max"
                  + " %d MB, %d GCs pausing %.2f s, %s spills; %s", i + 1, launch.name, run.jobSeconds, run.cpuSeconds(),
              run.wallSeconds, rows / run.jobSeconds, run.peakBeforeGc, run.peakAfterGc, run.gcs, run.gcPauseSeconds,
              run.result.path("spills").asText(), run.phaseText());
        }
      }
      // the engine itself, warm, in this JVM (library API: no Spring Batch, no JVM start; heap not limited)
      List<Double> engine = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        long started = System.nanoTime();
        long cpu = PlainScan.processCpuNanos();
        org.rollbackjobs.iceberg.features.RecomputeFeatures.of(catalog)
            .pipeline(PipelineCatalog.fromClasspath().get("customer_txn_features", version))
            .source("bench.txn").target("bench.engine_" + i).threads(threads).commit();
        engine.add((System.nanoTime() - started) / 1e9);
        log("engine in this JVM %d: %.2f s (CPU %.2f s), %,.0f rows/s", i + 1, engine.get(i),
            (PlainScan.processCpuNanos() - cpu) / 1e9, rows / engine.get(i));
      }
      // the job's own reader alone, warm: how much of the job is reading
      List<Scan> jobReaderScans = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        double[] scan = PlainScan.run(source, inputs, pool, rows, true);
        jobReaderScans.add(new Scan(scan[0], scan[1]));
        log("scan with the job's reader %d: %.2f s (CPU %.2f s), %,.0f rows/s", i + 1, scan[0], scan[1], rows / scan[0]);
      }
      Scan bestJobReader = jobReaderScans.stream().min(Comparator.comparingDouble(Scan::seconds)).orElseThrow();
      String check = check(catalog, source, version, "bench.features_jar_0") + "; launcher: "
          + check(catalog, source, version, "bench.features_launcher_0");
      log("result check: %s", check);

      // the first scan warms this JVM up (the job JVMs are cold, so this favours the scan)
      Scan bestScan = scans.stream().skip(1).min(Comparator.comparingDouble(Scan::seconds)).orElseThrow();
      Scan leastCpuScan = scans.stream().skip(1).min(Comparator.comparingDouble(Scan::cpuSeconds)).orElseThrow();
      Scan bestCold = coldScans.stream().min(Comparator.comparingDouble(Scan::seconds)).orElseThrow();
      Scan leastCpuCold = coldScans.stream().min(Comparator.comparingDouble(Scan::cpuSeconds)).orElseThrow();
      Scan bestColdRead = coldScans.stream().min(Comparator.comparingDouble(Scan::readSeconds)).orElseThrow();
      Scan leastCpuColdRead = coldScans.stream().min(Comparator.comparingDouble(Scan::readCpuSeconds)).orElseThrow();
      System.out.println();
      System.out.printf(Locale.ROOT, "Recompute benchmark: customer_txn_features version %s, %,d rows, %,d customers,"
              + " %d files, %d cores, job JVM -Xmx%s, load average at the end %.1f%n", version, rows, customers, files,
          threads, xmx, java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      System.out.printf(Locale.ROOT, "| measure | wall time | rows/s | CPU time |%n| --- | ---: | ---: | ---: |%n");
      System.out.printf(Locale.ROOT, "| plain scan of %s (Iceberg generic Parquet reader, %d threads; planning included), best of %d | %.2f s | %,.0f | %.2f s |%n",
          columns(inputs), threads, scans.size() - 1, bestScan.seconds(), rows / bestScan.seconds(), leastCpuScan.cpuSeconds());
      System.out.printf(Locale.ROOT, "| same scan in a fresh JVM -Xmx%s, timed as the job is (table load, planning, reading;"
          + " JIT warm-up included, JVM start excluded), best of %d | %.2f s | %,.0f | %.2f s |%n",
          xmx, coldScans.size(), bestCold.seconds(), rows / bestCold.seconds(), leastCpuCold.cpuSeconds());
      System.out.printf(Locale.ROOT, "| its reading alone (no table load or planning), best of %d | %.2f s | %,.0f | %.2f s |%n",
          coldScans.size(), bestColdRead.readSeconds(), rows / bestColdRead.readSeconds(), leastCpuColdRead.readCpuSeconds());
      for (List<JobRun> each : List.of(runs, launched)) {
        JobRun bestJob = each.stream().min(Comparator.comparingDouble(r -> r.jobSeconds)).orElseThrow();
        JobRun leastCpuJob = each.stream().min(Comparator.comparingDouble(JobRun::cpuSeconds)).orElseThrow();
        System.out.printf(Locale.ROOT, "| recompute-features job, %s (plan, map, reduce, commit), best of %d | %.2f s | %,.0f | %.2f s |%n",
            each == runs ? "java -jar rollback-jobs.jar" : "jobs/bin/rollback-jobs", each.size(), bestJob.jobSeconds,
            rows / bestJob.jobSeconds, leastCpuJob.cpuSeconds());
        System.out.printf(Locale.ROOT, "| same, including JVM and Spring start | %.2f s | %,.0f | |%n", bestJob.wallSeconds,
            rows / bestJob.wallSeconds);
        System.out.printf(Locale.ROOT, "| phases of that best job run: %s | | | |%n", bestJob.phaseText());
      }
      System.out.printf(Locale.ROOT, "| same scan with the job's reader (Parquet column readers, strings per dictionary"
          + " entry), warm, best of 2 | %.2f s | %,.0f | %.2f s |%n", bestJobReader.seconds(), rows / bestJobReader.seconds(),
          bestJobReader.cpuSeconds());
      double warmEngine = engine.get(engine.size() - 1);
      System.out.printf(Locale.ROOT, "| the engine in this JVM, warm (library API, no Spring Batch), 2nd run | %.2f s | %,.0f | |%n",
          warmEngine, rows / warmEngine);
      for (List<JobRun> each : List.of(runs, launched)) {
        ratios(each == runs ? "java -jar" : "launcher", each, bestScan, leastCpuScan, bestCold, leastCpuCold, bestColdRead,
            coldScans);
      }
      System.out.printf(Locale.ROOT, "warm engine / warm plain scan: %.2f of the throughput (wall time)%n",
          bestScan.seconds() / warmEngine);
      List<JobRun> all = new ArrayList<>(runs);
      all.addAll(launched);
      System.out.printf(Locale.ROOT, "job heap with -Xmx%s, both ways: at most %d MB used before a GC, %d MB after a GC"
              + " (GC log; %d to %d collections, %.2f to %.2f s of pauses); exit code 0%n", xmx,
          all.stream().mapToLong(r -> r.peakBeforeGc).max().orElse(0), all.stream().mapToLong(r -> r.peakAfterGc).max().orElse(0),
          all.stream().mapToInt(r -> r.gcs).min().orElse(0), all.stream().mapToInt(r -> r.gcs).max().orElse(0),
          all.stream().mapToDouble(r -> r.gcPauseSeconds).min().orElse(0),
          all.stream().mapToDouble(r -> r.gcPauseSeconds).max().orElse(0));
      System.out.printf(Locale.ROOT, "result: %s%n", check);
    } finally {
      pool.shutdownNow();
      if (!options.containsKey("keep-warehouse")) {
        deleteRecursively(warehouse);
      }
    }
  }

  private static Table generate(Catalog catalog, long rows, int customers, int files, ExecutorService pool) throws Exception {
    return generate(catalog, "bench.txn", rows, customers, files, pool);
  }

  /**
   * Writes a transactions table's files in parallel, rows generated on the fly (nothing held in memory); also used
   * by the Spark engine's benchmark.
   */
  public static Table generate(Catalog catalog, String name, long rows, int customers, int files, ExecutorService pool)
      throws Exception {
    Table table = TxnSource.create(catalog, name);
    Schema schema = table.schema();
    List<Future<DataFile>> written = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      long count = rows / files + (f < rows % files ? 1 : 0);
      long seed = 1000 + f;
      written.add(pool.submit(() -> {
        String path = table.locationProvider().newDataLocation(UUID.randomUUID() + ".parquet");
        DataWriter<Record> writer = Parquet.writeData(table.io().newOutputFile(path))
            .schema(schema)
            .createWriterFunc(type -> GenericParquetWriter.create(schema, type))
            .withSpec(table.spec())
            .overwrite()
            .build();
        Random random = new Random(seed);
        GenericRecord r = GenericRecord.create(schema);
        String[] categories = {"grocery", "travel", "fuel", "dining", "electronics", "rent", "health", "fashion",
            "books", "games", "garden", "music"};
        try (writer) {
          for (long i = 0; i < count; i++) {
            r.set(0, "c" + random.nextInt(customers));
            double roll = random.nextDouble();
            r.set(1, roll < 0.02 ? null : roll < 0.07 ? 10_000.0 + random.nextInt(90_000)
                : Math.round(random.nextDouble() * 50_000) / 100.0);
            r.set(2, random.nextDouble() < 0.03 ? null : categories[random.nextInt(categories.length)]);
            r.set(3, TxnSource.START.plusSeconds(random.nextInt(90 * 24 * 3600)));
            writer.write(r);
          }
        }
        return writer.toDataFile();
      }));
    }
    AppendFiles append = table.newAppend();
    for (Future<DataFile> file : written) {
      append.appendFile(file.get());
    }
    append.commit();
    table.refresh();
    return table;
  }

  /** A scan's time; for a cold scan also that of its reading alone (no table load or planning). */
  private record Scan(double seconds, double cpuSeconds, double readSeconds, double readCpuSeconds) {
    Scan(double seconds, double cpuSeconds) {
      this(seconds, cpuSeconds, seconds, cpuSeconds);
    }
  }

  private static Scan plainScan(Table table, Schema projection, ExecutorService pool, long expected) throws Exception {
    double[] result = PlainScan.run(table, projection, pool, expected);
    return new Scan(result[0], result[1]);
  }

  /** The same scan in a fresh JVM with the job's -Xmx: JIT warm-up and all, as the job has. */
  private static Scan coldScan(String xmx, TestPostgres db, Path warehouse, String catalogName, Schema projection,
      long expected) throws Exception {
    String classpath = classpath();
    Path out = Files.createTempFile("scan-out", ".txt");
    Path err = Files.createTempFile("scan-err", ".txt");
    Process process = new ProcessBuilder("java", "-Xmx" + xmx, "-cp", classpath, PlainScan.class.getName(),
        catalogName, warehouse.toString(), db.jdbcUrl(), db.user(), db.password(), "bench.txn", columns(projection).replace(", ", ","))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IllegalStateException("the cold scan failed: " + Files.readString(err));
    }
    String[] parts = Files.readAllLines(out).get(0).trim().split(" ");
    if (Long.parseLong(parts[2]) != expected) {
      throw new IllegalStateException("the cold scan read " + parts[2] + " rows, expected " + expected);
    }
    return new Scan(Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[3]),
        Double.parseDouble(parts[4]));
  }

  /** The class path this benchmark runs with (exec:java runs it in a URL class loader). */
  private static String classpath() {
    ClassLoader loader = RecomputeBenchmark.class.getClassLoader();
    if (loader instanceof java.net.URLClassLoader urls) {
      List<String> entries = new ArrayList<>();
      for (java.net.URL url : urls.getURLs()) {
        entries.add(Path.of(java.net.URI.create(url.toString())).toString());
      }
      return String.join(java.io.File.pathSeparator, entries);
    }
    return System.getProperty("java.class.path");
  }

  /**
   * @param phases seconds before the job (pipeline, catalog, table load, planning, launch), in the map step, in the
   *     reduce step and in the commit step, from the job's debug log (NaN where a line is missing)
   */
  private record JobRun(double jobSeconds, double wallSeconds, long peakBeforeGc, long peakAfterGc, int gcs,
      double gcPauseSeconds, JsonNode result, double[] phases) {
    double cpuSeconds() {
      return result.path("cpu-ms").asLong() / 1000.0;
    }

    String phaseText() {
      return String.format(Locale.ROOT, "before the job %.2f s, map %.2f s, reduce %.2f s, commit %.2f s", phases[0],
          phases[1], phases[2], phases[3]);
    }
  }

  private static final Pattern LOG_TIME = Pattern.compile("^(\\d\\d):(\\d\\d):(\\d\\d\\.\\d{3}) ");

  /** The phases of a job run from the debug lines of its services and steps (see JobRun#phases). */
  static double[] phases(List<String> log) {
    double requested = time(log, "recompute of .* requested", false);
    double prepared = time(log, "prepare step starts", false);
    double mapped = time(log, "map partition .* ends", true);
    double reduceStarts = time(log, "reduce bucket .* starts", false);
    double reduced = time(log, "reduce partition .* done", true);
    double committing = time(log, "commit step starts", false);
    double ended = time(log, "job execution .* ended", true);
    return new double[] {prepared - requested, mapped - prepared, reduced - reduceStarts, ended - committing};
  }

  private static double time(List<String> log, String message, boolean last) {
    Pattern pattern = Pattern.compile(message);
    double found = Double.NaN;
    for (String line : log) {
      Matcher time = LOG_TIME.matcher(line);
      if (time.find() && pattern.matcher(line).find()) {
        found = Integer.parseInt(time.group(1)) * 3600 + Integer.parseInt(time.group(2)) * 60
            + Double.parseDouble(time.group(3));
        if (!last) {
          return found;
        }
      }
    }
    return found;
  }

  /** The ratio lines of one way of running the job, against the scans. */
  private static void ratios(String how, List<JobRun> runs, Scan bestScan, Scan leastCpuScan, Scan bestCold,
      Scan leastCpuCold, Scan bestColdRead, List<Scan> coldScans) {
    JobRun bestJob = runs.stream().min(Comparator.comparingDouble(r -> r.jobSeconds)).orElseThrow();
    JobRun leastCpuJob = runs.stream().min(Comparator.comparingDouble(JobRun::cpuSeconds)).orElseThrow();
    System.out.printf(Locale.ROOT, "%s: job / warm plain scan: %.2f of the throughput (wall time), %.2f (CPU time)%n", how,
        bestScan.seconds() / bestJob.jobSeconds, leastCpuScan.cpuSeconds() / leastCpuJob.cpuSeconds());
    System.out.printf(Locale.ROOT, "%s: job / plain scan in a fresh JVM: %.2f of the throughput (wall time), %.2f (CPU time)%n",
        how, bestCold.seconds() / bestJob.jobSeconds, leastCpuCold.cpuSeconds() / leastCpuJob.cpuSeconds());
    // each job against the fresh-JVM scan run just before it: less at the mercy of one lucky or unlucky run
    List<Double> paired = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      paired.add(coldScans.get(i).seconds() / runs.get(i).jobSeconds);
    }
    paired.sort(Comparator.naturalOrder());
    System.out.printf(Locale.ROOT, "%s: job / plain scan in a fresh JVM, each job against the scan run just before it:"
        + " median %.2f (%s)%n", how, paired.get(paired.size() / 2), String.join(", ",
        paired.stream().map(r -> String.format(Locale.ROOT, "%.2f", r)).toList()));
    // the part of each that grows with the rows: the job's map step against the scan's reading (best of each)
    double bestMap = runs.stream().mapToDouble(r -> r.phases[1]).filter(Double::isFinite).min().orElse(Double.NaN);
    System.out.printf(Locale.ROOT, "%s: job's map step / scan's reading alone (both in fresh JVMs, best of each):"
        + " %.2f of the throughput (map %.2f s, reading %.2f s)%n", how, bestColdRead.readSeconds() / bestMap, bestMap,
        bestColdRead.readSeconds());
  }

  /**
   * One way of starting the job: {@code java -jar} on the JAR, or the launcher script (which runs the JAR's
   * extracted layout); either way with the same JVM options.
   */
  private record Launch(String name, List<String> command, Map<String, String> env, Path gcLog) {
    static Launch jar(Path jar, String xmx, String javaOptions) throws IOException {
      Path gcLog = Files.createTempFile("recompute-gc", ".log");
      List<String> command = new ArrayList<>(List.of("java"));
      command.addAll(jvmOptions(xmx, javaOptions, gcLog));
      command.addAll(List.of("-jar", jar.toString()));
      return new Launch("jar", command, Map.of(), gcLog);
    }

    static Launch script(Path launcher, Path jar, Path cache, String xmx, String javaOptions) throws IOException {
      if (!Files.isRegularFile(launcher)) {
        throw new IllegalStateException("the launcher " + launcher + " is missing");
      }
      Path gcLog = Files.createTempFile("recompute-gc", ".log");
      return new Launch("launcher", List.of("bash", launcher.toString()), Map.of("ROLLBACK_JOBS_JAR", jar.toString(),
          "ROLLBACK_JOBS_CACHE", cache.toString(), "JAVA_OPTS", String.join(" ", jvmOptions(xmx, javaOptions, gcLog))),
          gcLog);
    }

    private static List<String> jvmOptions(String xmx, String javaOptions, Path gcLog) {
      List<String> options = new ArrayList<>(List.of("-Xmx" + xmx, "-Xlog:gc:file=" + gcLog));
      for (String option : javaOptions.split(" ")) {
        if (!option.isBlank()) {
          options.add(option);
        }
      }
      return options;
    }

    /** Lets the launcher extract its layout, as the first launch of a new JAR does. */
    void extract() throws Exception {
      List<String> version = new ArrayList<>(command);
      version.add("--version");
      ProcessBuilder builder = new ProcessBuilder(version).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
        throw new IllegalStateException("the launcher failed to run the JAR's --version");
      }
    }
  }

  private static JobRun job(Launch launch, TestPostgres db, Path warehouse, String catalogName, String version,
      String target) throws Exception {
    Path gcLog = launch.gcLog();
    Files.deleteIfExists(gcLog);
    Path out = Files.createTempFile("recompute-out", ".txt");
    Path err = Files.createTempFile("recompute-err", ".txt");
    List<String> command = new ArrayList<>(launch.command());
    command.addAll(List.of("recompute-features", "--pipeline", "customer_txn_features",
        "--version", version, "--source", "bench.txn", "--target", target, "--reason", "benchmark", "--json"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> env = builder.environment();
    env.putAll(launch.env());
    env.put("SPRING_DATASOURCE_URL", db.jdbcUrl());
    env.put("SPRING_DATASOURCE_USERNAME", db.user());
    env.put("SPRING_DATASOURCE_PASSWORD", db.password());
    env.put("ROLLBACK_ICEBERG_CATALOG_TYPE", "jdbc");
    env.put("ROLLBACK_ICEBERG_CATALOG_URI", db.jdbcUrl());
    env.put("ROLLBACK_ICEBERG_CATALOG_JDBC_USER", db.user());
    env.put("ROLLBACK_ICEBERG_CATALOG_JDBC_PASSWORD", db.password());
    env.put("ROLLBACK_ICEBERG_CATALOG_WAREHOUSE", warehouse.toString());
    env.put("ROLLBACK_ICEBERG_CATALOGNAME", catalogName);
    env.put("LOGGING_LEVEL_ORG_ROLLBACKJOBS_JOBS_FEATURES", "DEBUG"); // a line at each phase boundary
    long start = System.nanoTime();
    Process process = builder.start();
    if (!process.waitFor(30, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("the job did not finish in 30 minutes");
    }
    double wall = (System.nanoTime() - start) / 1e9;
    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    if (process.exitValue() != 0 || lines.isEmpty()) {
      throw new IllegalStateException("the job failed with exit " + process.exitValue() + ":\n" + Files.readString(err));
    }
    JsonNode result = JSON.readTree(lines.get(lines.size() - 1));
    if (Boolean.getBoolean("bench.show-job-log")) {
      System.err.println(Files.readString(err));
    }
    long before = 0;
    long after = 0;
    int gcs = 0;
    double pauses = 0;
    for (String line : Files.readAllLines(gcLog, StandardCharsets.UTF_8)) {
      Matcher m = GC.matcher(line);
      if (m.find()) {
        gcs++;
        before = Math.max(before, Long.parseLong(m.group(1)));
        after = Math.max(after, Long.parseLong(m.group(2)));
        pauses += m.group(4) == null ? 0 : Double.parseDouble(m.group(4)) / 1000;
      }
    }
    Files.deleteIfExists(gcLog);
    return new JobRun(result.get("duration-ms").asLong() / 1000.0, wall, before, after, gcs, pauses, result,
        phases(Files.readAllLines(err, StandardCharsets.UTF_8)));
  }

  /** Streams the source once and computes the version's features per customer, independently of the engine. */
  private static String check(Catalog catalog, Table source, String version, String target) throws IOException {
    Map<String, double[]> expected = new HashMap<>(); // count, sum, n, capped sum, max
    Map<String, Set<String>> categories = new HashMap<>();
    try (CloseableIterable<Record> records = org.apache.iceberg.data.IcebergGenerics.read(source).build()) {
      for (Record r : records) {
        String customer = (String) r.getField("customer_id");
        double[] f = expected.computeIfAbsent(customer, k -> new double[] {0, 0, 0, 0, Double.NEGATIVE_INFINITY});
        f[0]++;
        Double amount = (Double) r.getField("amount");
        if (amount != null) {
          f[1] += amount;
          f[2]++;
          f[3] += Math.min(amount, 10_000.0);
          f[4] = Math.max(f[4], amount);
        }
        String category = (String) r.getField("category");
        Set<String> seen = categories.computeIfAbsent(customer, k -> new HashSet<>());
        if (category != null) {
          seen.add(category);
        }
      }
    }
    Table features = catalog.loadTable(TableName.parse(target));
    long compared = 0;
    try (CloseableIterable<Record> records = org.apache.iceberg.data.IcebergGenerics.read(features).build()) {
      for (Record r : records) {
        double[] f = expected.get((String) r.getField("customer_id"));
        boolean v2 = version.equals("2");
        boolean amounts = f != null && f[2] > 0; // without any amount: sum, mean and max are null
        boolean same = f != null && (Long) r.getField("txn_count") == (long) f[0]
            && close((Double) r.getField("amount_sum"), f[1], amounts)
            && close((Double) r.getField("amount_mean"), v2 ? f[3] / f[2] : f[1] / f[2], amounts)
            && (!v2 || (close((Double) r.getField("amount_max"), f[4], amounts)
                && (Long) r.getField("category_count") == categories.get((String) r.getField("customer_id")).size()));
        if (!same) {
          throw new IllegalStateException("feature row " + r + " differs from the independent computation");
        }
        compared++;
      }
    }
    if (compared != expected.size()) {
      throw new IllegalStateException("the feature table has " + compared + " rows, expected " + expected.size());
    }
    return String.format(Locale.ROOT, "%,d feature rows equal to an independent computation (doubles to 1e-9 relative)",
        compared);
  }

  private static boolean close(Double actual, double expected, boolean present) {
    if (!present) {
      return actual == null;
    }
    return actual != null && Math.abs(actual - expected) <= Math.abs(expected) * 1e-9 + 1e-9;
  }

  private static String columns(Schema schema) {
    return String.join(", ", schema.columns().stream().map(c -> c.name()).toList());
  }

  /** {@code path} in the repository around the working directory. */
  private static Path inRepository(String path, String hint) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path file = dir.resolve(path);
      if (Files.isRegularFile(file)) {
        return file;
      }
    }
    throw new IllegalStateException(path + " not found: " + hint);
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + args[i] + "'; options are --name value");
      }
      String name = args[i].substring(2);
      if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        options.put(name, args[++i]);
      } else {
        options.put(name, "true");
      }
    }
    return options;
  }

  private static void log(String format, Object... args) {
    System.err.printf(Locale.ROOT, "[bench] " + format + "%n", args);
  }

  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
