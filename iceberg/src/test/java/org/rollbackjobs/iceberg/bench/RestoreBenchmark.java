package org.rollbackjobs.iceberg.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.rollbackjobs.iceberg.Fixtures;
import org.rollbackjobs.iceberg.restore.Lineage;
import org.rollbackjobs.iceberg.restore.RestoreMode;
import org.rollbackjobs.iceberg.restore.RestorePlan;
import org.rollbackjobs.iceberg.restore.RestoreTable;
import org.rollbackjobs.iceberg.snapshot.SnapshotTarget;
import org.rollbackjobs.testing.TestPostgres;
import org.rollbackjobs.testing.TestTables;

/**
 * Restore timings for a small and a large table in a JDBC catalog on the test PostgreSQL. Not a test (surefire
 * excludes {@code *Benchmark}); run it with
 *
 * <pre>
 * mvn -q -B -pl iceberg test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=org.rollbackjobs.iceberg.bench.RestoreBenchmark \
 *     -Dexec.args="--large-files 1000 --large-rows 1000000"
 * </pre>
 *
 * <p>Each table gets snapshot A (all its files appended in one commit) and snapshot B (an overwrite that replaces
 * half of them by new files with as many rows). Every repetition restores B to A (timed: plan, then apply) and
 * then rolls forward to B (not timed), so each repetition has the same work. Options: {@code --small-files},
 * {@code --small-rows}, {@code --large-files}, {@code --large-rows}, {@code --repeats}, {@code --warmups},
 * {@code --threads}, {@code --keep-warehouse}, {@code --no-full-check} (skip the row-by-row comparison on the
 * large table).
 */
public final class RestoreBenchmark {
  private static final RestoreMode[] MODES = {RestoreMode.COMMIT, RestoreMode.POINTER};

  private RestoreBenchmark() {}

  public static void main(String[] args) throws Exception {
    quietLogs();
    Map<String, String> options = parse(args);
    int smallFiles = intOption(options, "small-files", 10);
    long smallRows = longOption(options, "small-rows", 10_000);
    int largeFiles = intOption(options, "large-files", 1_000);
    long largeRows = longOption(options, "large-rows", 1_000_000);
    int repeats = intOption(options, "repeats", 5);
    int warmups = intOption(options, "warmups", 1);
    int threads = intOption(options, "threads", Math.max(2, Runtime.getRuntime().availableProcessors()));
    boolean keep = options.containsKey("keep-warehouse");
    boolean fullCheckLarge = !options.containsKey("no-full-check");

    Path warehouse = Files.createTempDirectory("restore-benchmark-");
    TestPostgres postgres = TestPostgres.get();
    Catalog catalog = Fixtures.catalog("restore_benchmark", warehouse);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long setupStart = System.nanoTime();
      Bench small = Bench.create(catalog, "small", smallFiles, smallRows, pool);
      Bench large = Bench.create(catalog, "large", largeFiles, largeRows, pool);
      log("setup took %.1f s", (System.nanoTime() - setupStart) / 1e9);

      Map<String, Long> dataBefore = dataFiles(warehouse);
      long metadataBefore = metadataFiles(warehouse);
      Map<RestoreMode, Map<String, Long>> timings = new TreeMap<>();
      Map<String, RestorePlan> plans = new HashMap<>();
      Map<String, String> checks = new TreeMap<>();
      for (RestoreMode mode : MODES) {
        for (Bench bench : List.of(small, large)) {
          boolean fullCheck = bench == small || fullCheckLarge;
          Measured measured = bench.measure(mode, warmups, repeats, fullCheck);
          timings.computeIfAbsent(mode, m -> new TreeMap<>()).put(bench.label + ".plan", measured.planNanos);
          timings.get(mode).put(bench.label + ".apply", measured.applyNanos);
          timings.get(mode).put(bench.label + ".total", measured.totalNanos);
          plans.put(bench.label, measured.plan);
          checks.put(bench.label + " " + mode.label(), measured.check);
        }
      }
      Map<String, Long> dataAfter = dataFiles(warehouse);
      long metadataAfter = metadataFiles(warehouse);

      report(postgres, warehouse, small, large, repeats, warmups, timings, plans, checks, dataBefore, dataAfter,
          metadataAfter - metadataBefore);
    } finally {
      pool.shutdownNow();
      if (!keep) {
        deleteRecursively(warehouse);
      }
    }
  }

  /** One benchmark table with its two snapshots. */
  private static final class Bench {
    final String label;
    final Table table;
    final int files;
    final long rows;
    final long snapshotA;
    final long snapshotB;

    private Bench(String label, Table table, int files, long rows, long snapshotA, long snapshotB) {
      this.label = label;
      this.table = table;
      this.files = files;
      this.rows = rows;
      this.snapshotA = snapshotA;
      this.snapshotB = snapshotB;
    }

    static Bench create(Catalog catalog, String label, int files, long rows, ExecutorService pool) throws Exception {
      Table table = Fixtures.createTable(catalog, "bench", label);
      long start = System.nanoTime();
      List<DataFile> a = writeFiles(table, label + " A", 0, files, rows, pool);
      AppendFiles append = table.newAppend();
      a.forEach(append::appendFile);
      append.commit();
      long snapshotA = table.currentSnapshot().snapshotId();
      log("%s: snapshot A = %,d files, %,d rows (%.1f s)", label, files, rows, (System.nanoTime() - start) / 1e9);

      // B replaces the first half of A's files by new files holding as many rows (ids shifted past A's)
      start = System.nanoTime();
      int replaced = files / 2;
      long replacedRows = a.subList(0, replaced).stream().mapToLong(DataFile::recordCount).sum();
      List<DataFile> b = writeFiles(table, label + " B", rows, replaced, replacedRows, pool);
      OverwriteFiles overwrite = table.newOverwrite();
      a.subList(0, replaced).forEach(overwrite::deleteFile);
      b.forEach(overwrite::addFile);
      overwrite.commit();
      long snapshotB = table.currentSnapshot().snapshotId();
      log("%s: snapshot B = overwrite of %,d files / %,d rows (%.1f s)", label, replaced, replacedRows,
          (System.nanoTime() - start) / 1e9);

      return new Bench(label, table, files, rows, snapshotA, snapshotB);
    }

    Measured measure(RestoreMode mode, int warmups, int repeats, boolean fullCheck) {
      long[] plan = new long[repeats];
      long[] apply = new long[repeats];
      long[] total = new long[repeats];
      RestorePlan lastPlan = null;
      String check = null;
      for (int i = -warmups; i < repeats; i++) {
        RestoreTable restore = RestoreTable.of(table).to(SnapshotTarget.id(snapshotA)).mode(mode)
            .set(Lineage.REASON, "benchmark").set(Lineage.JOB_EXECUTION, "bench-" + i);
        long t0 = System.nanoTime();
        RestorePlan p = restore.plan();
        long t1 = System.nanoTime();
        boolean changed = restore.commit().changed();
        long t2 = System.nanoTime();
        if (!changed || p.alreadyAtTarget()) {
          throw new IllegalStateException(label + " " + mode + ": the restore did nothing; the table was not at B");
        }
        if (i >= 0) {
          plan[i] = t1 - t0;
          apply[i] = t2 - t1;
          total[i] = t2 - t0;
        }
        lastPlan = p;
        if (i == repeats - 1) {
          check = verify(mode, fullCheck);
        }
        // roll forward to B, untimed, so that the next repetition restores again
        RestoreTable.of(table).to(SnapshotTarget.id(snapshotB)).mode(mode).commit();
        log("%s %s: %s: plan %.1f ms, apply %.1f ms", label, mode.label(),
            i < 0 ? "warm-up" : "repetition " + (i + 1) + "/" + repeats, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
      }
      return new Measured(median(plan), median(apply), median(total), lastPlan, check);
    }

    /** Checks that the table, right after a restore, holds A's content. */
    private String verify(RestoreMode mode, boolean fullCheck) {
      table.refresh();
      long current = table.currentSnapshot().snapshotId();
      if (mode == RestoreMode.POINTER && current != snapshotA) {
        throw new IllegalStateException(label + ": pointer restore left snapshot " + current + ", not A");
      }
      Set<String> currentFiles = liveDataFiles(table, current);
      Set<String> filesA = liveDataFiles(table, snapshotA);
      if (!currentFiles.equals(filesA)) {
        throw new IllegalStateException(label + " " + mode + ": data files after the restore differ from A's");
      }
      String records = table.currentSnapshot().summary().get("total-records");
      if (!Long.toString(rows).equals(records)) {
        throw new IllegalStateException(label + " " + mode + ": total-records " + records + ", expected " + rows);
      }
      if (!fullCheck) {
        return "data file set = A's (" + filesA.size() + " files), total-records = " + records;
      }
      long start = System.nanoTime();
      List<String> now = TestTables.rows(table, null);
      List<String> atA = TestTables.rows(table, snapshotA);
      if (!now.equals(atA)) {
        throw new IllegalStateException(label + " " + mode + ": rows after the restore differ from A's");
      }
      log("%s %s: compared %,d rows with a time-travel read of A in %.1f s", label, mode.label(), now.size(),
          (System.nanoTime() - start) / 1e9);
      return "all " + String.format(Locale.ROOT, "%,d", now.size()) + " rows = time-travel read of A";
    }
  }

  private record Measured(long planNanos, long applyNanos, long totalNanos, RestorePlan plan, String check) {}

  private static List<DataFile> writeFiles(Table table, String what, long firstId, int files, long rows,
      ExecutorService pool) throws Exception {
    AtomicInteger done = new AtomicInteger();
    long start = System.nanoTime();
    List<Future<DataFile>> futures = new ArrayList<>(files);
    long next = firstId;
    for (int f = 0; f < files; f++) {
      long count = rows / files + (f < rows % files ? 1 : 0);
      long from = next;
      next += count;
      futures.add(pool.submit(() -> {
        DataFile file = TestTables.writeDataFile(table, records(table, from, count));
        int n = done.incrementAndGet();
        if (n % Math.max(1, files / 10) == 0 || n == files) {
          log("%s: wrote %,d/%,d data files (%.1f s)", what, n, files, (System.nanoTime() - start) / 1e9);
        }
        return file;
      }));
    }
    List<DataFile> written = new ArrayList<>(files);
    for (Future<DataFile> future : futures) {
      written.add(future.get());
    }
    return written;
  }

  private static List<Record> records(Table table, long from, long count) {
    List<Record> records = new ArrayList<>((int) count);
    GenericRecord template = GenericRecord.create(table.schema());
    for (long id = from; id < from + count; id++) {
      records.add(template.copy(Map.of("id", id, "name", "customer-" + (id % 9973), "amount", (id % 10_000) / 100.0)));
    }
    return records;
  }

  private static Set<String> liveDataFiles(Table table, long snapshotId) {
    try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(snapshotId).planFiles()) {
      Set<String> files = new java.util.HashSet<>();
      for (FileScanTask task : tasks) {
        files.add(task.file().location());
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every Parquet data file under the warehouse (outside metadata folders), by path, with its size. */
  private static Map<String, Long> dataFiles(Path warehouse) throws IOException {
    try (Stream<Path> paths = Files.walk(warehouse)) {
      return paths.filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".parquet") && !p.toString().contains("/metadata/"))
          .collect(Collectors.toMap(Path::toString, p -> {
            try {
              return Files.size(p);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }, (x, y) -> x, TreeMap::new));
    }
  }

  private static long metadataFiles(Path warehouse) throws IOException {
    try (Stream<Path> paths = Files.walk(warehouse)) {
      return paths.filter(Files::isRegularFile).filter(p -> p.toString().contains("/metadata/")).count();
    }
  }

  private static void report(TestPostgres postgres, Path warehouse, Bench small, Bench large, int repeats, int warmups,
      Map<RestoreMode, Map<String, Long>> timings, Map<String, RestorePlan> plans, Map<String, String> checks,
      Map<String, Long> dataBefore, Map<String, Long> dataAfter, long newMetadataFiles) {
    StringBuilder out = new StringBuilder();
    out.append("\nRestore benchmark: Iceberg ").append(icebergVersion()).append(", JDBC catalog on PostgreSQL (")
        .append(postgres.source()).append("), local warehouse, Java ").append(System.getProperty("java.version"))
        .append(", ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs\n\n");

    out.append(String.format(Locale.ROOT, "%-7s %12s %12s %26s %14s%n", "table", "files in A", "rows in A",
        "B replaces (files / rows)", "parquet bytes"));
    for (Bench bench : List.of(small, large)) {
      RestorePlan plan = plans.get(bench.label);
      String location = bench.table.location().replaceFirst("^file:", "") + "/";
      long bytes = dataBefore.entrySet().stream().filter(e -> e.getKey().startsWith(location))
          .mapToLong(Map.Entry::getValue).sum();
      out.append(String.format(Locale.ROOT, "%-7s %,12d %,12d %26s %,14d%n", bench.label, bench.files, bench.rows,
          String.format(Locale.ROOT, "%,d / %,d", plan.filesToDiscard().size(), plan.rowsToDiscard()), bytes));
    }
    out.append(String.format(Locale.ROOT,
        "%nmedian of %d repetitions (%d warm-up not counted); each restores B -> A, then rolls forward to B untimed%n%n",
        repeats, warmups));
    out.append(String.format(Locale.ROOT, "%-8s %-22s %10s %10s %12s%n", "mode", "step", "small ms", "large ms",
        "large/small"));
    for (RestoreMode mode : MODES) {
      Map<String, Long> t = timings.get(mode);
      for (String step : List.of("plan", "apply", "total")) {
        double s = t.get("small." + step) / 1e6;
        double l = t.get("large." + step) / 1e6;
        String name = switch (step) {
          case "plan" -> "plan (read manifests)";
          case "apply" -> mode == RestoreMode.COMMIT ? "apply (new snapshot)" : "apply (move main)";
          default -> "total";
        };
        out.append(String.format(Locale.ROOT, "%-8s %-22s %10.1f %10.1f %11.1fx%n", mode.label(), name, s, l, l / s));
      }
    }

    out.append("\nplan of each restore B -> A:\n");
    for (Bench bench : List.of(small, large)) {
      RestorePlan p = plans.get(bench.label);
      out.append(String.format(Locale.ROOT,
          "  %-5s restore %,d files / %,d rows, discard %,d files / %,d rows; target %,d files / %,d rows%n",
          bench.label, p.filesToRestore().size(), p.rowsToRestore(), p.filesToDiscard().size(), p.rowsToDiscard(),
          p.targetFiles(), p.targetRows()));
    }

    out.append("\ncontent right after the last restore:\n");
    checks.forEach((what, check) -> out.append(String.format(Locale.ROOT, "  %-14s %s%n", what, check)));

    long bytesBefore = dataBefore.values().stream().mapToLong(Long::longValue).sum();
    long bytesAfter = dataAfter.values().stream().mapToLong(Long::longValue).sum();
    boolean same = dataBefore.equals(dataAfter);
    int restores = (repeats + warmups) * 2 * MODES.length; // per mode, per table
    out.append(String.format(Locale.ROOT,
        "%nmetadata-only: Parquet data files in the warehouse before the restores: %,d (%,d bytes); after %,d restores"
            + " and %,d roll-forwards: %,d (%,d bytes); %s%n",
        dataBefore.size(), bytesBefore, restores, restores, dataAfter.size(), bytesAfter,
        same ? "same paths and sizes: no data file was written or rewritten"
            : "DIFFERENT: " + difference(dataBefore, dataAfter)));
    out.append(String.format(Locale.ROOT, "what the restores wrote: %,d metadata files (table metadata JSON,"
        + " manifest lists, manifests) and one catalog row update each%n", newMetadataFiles));
    System.out.print(out);
    System.out.flush();
    if (!same) {
      throw new IllegalStateException("data files changed during the restores");
    }
  }

  private static String difference(Map<String, Long> before, Map<String, Long> after) {
    List<String> added = after.keySet().stream().filter(k -> !before.containsKey(k)).limit(5).toList();
    List<String> removed = before.keySet().stream().filter(k -> !after.containsKey(k)).limit(5).toList();
    return "added " + added + ", removed " + removed;
  }

  private static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    long median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return median;
  }

  private static String icebergVersion() {
    return org.apache.iceberg.IcebergBuild.version();
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'; options are --name value");
      }
      String name = arg.substring(2);
      int eq = name.indexOf('=');
      if (eq >= 0) {
        options.put(name.substring(0, eq), name.substring(eq + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        options.put(name, args[++i]);
      } else {
        options.put(name, "true");
      }
    }
    return options;
  }

  private static int intOption(Map<String, String> options, String name, int fallback) {
    return (int) longOption(options, name, fallback);
  }

  private static long longOption(Map<String, String> options, String name, long fallback) {
    String value = options.get(name);
    return value == null ? fallback : Long.parseLong(value.replace("_", "").replace(",", ""));
  }

  private static void log(String format, Object... args) {
    System.err.println("[bench] " + String.format(Locale.ROOT, format, args));
  }

  /** Iceberg logs every commit at INFO; keep stderr to the benchmark's own progress. */
  private static void quietLogs() {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.org.testcontainers", "off");
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.hadoop", "error");
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
      // best effort
    }
  }
}
