package org.rollbackjobs.iceberg.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.features.engine.SourceReader;

/**
 * A plain scan of some columns of a table with Iceberg's generic Parquet reader, one thread per core over the
 * file scan tasks, every value touched: the physical limit of anything that reads those rows. Run in-process by
 * {@link RecomputeBenchmark}, or as a fresh JVM like the job ({@code main}: catalog name, warehouse, JDBC URL,
 * user, password, table, columns separated by commas; prints seconds, CPU seconds and rows).
 */
public final class PlainScan {
  private PlainScan() {}

  /** @return {wall seconds, process CPU seconds during the scan} */
  public static double[] run(Table table, Schema projection, ExecutorService pool, long expected) throws Exception {
    return run(table, projection, pool, expected, false);
  }

  /**
   * @param jobReader read as the recompute job does ({@link SourceReader#openRows}: Parquet's column readers, one
   *     String per dictionary entry) instead of with Iceberg's generic reader
   * @return {wall seconds, process CPU seconds, rows, wall seconds of the reading alone, its CPU seconds}; the
   *     first two include planning, as the job's duration does
   */
  public static double[] run(Table table, Schema projection, ExecutorService pool, long expected, boolean jobReader)
      throws Exception {
    return run(() -> table, t -> projection, pool, expected, jobReader, System.nanoTime(), processCpuNanos());
  }

  private static double[] run(Callable<Table> load, Function<Table, Schema> projectionOf, ExecutorService pool,
      long expected, boolean jobReader, long start, long cpuStart) throws Exception {
    Table table = load.call();
    Schema projection = projectionOf.apply(table);
    List<FileScanTask> tasks = new ArrayList<>();
    try (CloseableIterable<FileScanTask> planned = table.newScan().project(projection).planFiles()) {
      planned.forEach(tasks::add);
    }
    long readStart = System.nanoTime();
    long readCpuStart = processCpuNanos();
    List<Future<long[]>> results = new ArrayList<>();
    for (FileScanTask task : tasks) {
      results.add(pool.submit(() -> {
        long count = 0;
        long hash = 0;
        try (CloseableIterable<? extends StructLike> records = jobReader
            ? SourceReader.openRows(table, task, projection)
            : Parquet.read(table.io().newInputFile(task.file().location()))
                .project(projection)
                .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(projection, fileSchema))
                .split(task.start(), task.length())
                .reuseContainers()
                .build()) {
          for (StructLike record : records) {
            count++;
            for (int i = 0; i < record.size(); i++) {
              Object value = record.get(i, Object.class);
              hash += value == null ? 0 : value.hashCode();
            }
          }
        }
        return new long[] {count, hash};
      }));
    }
    long count = 0;
    long hash = 0;
    for (Future<long[]> result : results) {
      count += result.get()[0];
      hash += result.get()[1];
    }
    long end = System.nanoTime();
    long cpuEnd = processCpuNanos();
    if ((expected >= 0 && count != expected) || hash == 42) { // the hash keeps the JIT from skipping the values
      throw new IllegalStateException("plain scan read " + count + " rows, expected " + expected);
    }
    return new double[] {(end - start) / 1e9, (cpuEnd - cpuStart) / 1e9, count, (end - readStart) / 1e9,
        (cpuEnd - readCpuStart) / 1e9};
  }

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * The scan in this (fresh) JVM, timed as the job times itself: loading the table, planning and reading every
   * row. Opening the catalog comes first, untimed: the job's JVM has its JDBC driver loaded and a connection pool
   * open before its clock starts (its catalog, opened on the clock, then costs far less than here).
   */
  public static void main(String[] args) throws Exception {
    Catalog catalog = CatalogLoader.load(args[0], Map.of("type", "jdbc", "warehouse", args[1], "uri", args[2],
        "jdbc.user", args[3], "jdbc.password", args[4]));
    long start = System.nanoTime();
    long cpuStart = processCpuNanos();
    ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    try {
      double[] result = run(() -> catalog.loadTable(org.rollbackjobs.iceberg.catalog.TableName.parse(args[5])),
          table -> table.schema().select(args[6].split(",")), pool, -1, false, start, cpuStart);
      System.out.printf(Locale.ROOT, "%.3f %.3f %.0f %.3f %.3f%n", result[0], result[1], result[2], result[3], result[4]);
    } finally {
      pool.shutdownNow();
    }
    System.exit(0);
  }
}
