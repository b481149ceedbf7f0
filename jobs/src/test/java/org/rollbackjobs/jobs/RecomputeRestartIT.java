package org.rollbackjobs.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.FileScanTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.data.GenericDataFiles;
import org.rollbackjobs.iceberg.features.ExpectedFeatures;
import org.rollbackjobs.iceberg.features.TxnSource;
import org.rollbackjobs.jobs.cli.Output;
import org.rollbackjobs.jobs.faults.FaultReport;
import org.rollbackjobs.testing.TestPostgres;

/**
 * The packaged JAR killed with SIGKILL in the middle of a recompute, then {@code restart --execution ID}: the
 * job completes from the partitions that had completed, nothing was visible before its commit, the result is
 * identical to an uninterrupted run, and the killed attempt leaves no orphan data files behind.
 */
class RecomputeRestartIT {
  private static final Path JAR = Path.of("target", "rollback-jobs.jar");
  private static final Pattern EXECUTION = Pattern.compile("recompute-features job execution (\\d+):");
  private static final int FILES = 16;
  private static final int ROWS_PER_FILE = 80_000;

  @TempDir Path warehouse;
  @TempDir Path work;

  private Map<String, String> env() {
    TestPostgres db = TestPostgres.get();
    Map<String, String> env = new HashMap<>();
    env.put("SPRING_DATASOURCE_URL", db.jdbcUrl());
    env.put("SPRING_DATASOURCE_USERNAME", db.user());
    env.put("SPRING_DATASOURCE_PASSWORD", db.password());
    env.put("ROLLBACK_ICEBERG_CATALOG_TYPE", "jdbc");
    env.put("ROLLBACK_ICEBERG_CATALOG_URI", db.jdbcUrl());
    env.put("ROLLBACK_ICEBERG_CATALOG_JDBC_USER", db.user());
    env.put("ROLLBACK_ICEBERG_CATALOG_JDBC_PASSWORD", db.password());
    env.put("ROLLBACK_ICEBERG_CATALOG_WAREHOUSE", warehouse.toString());
    env.put("ROLLBACK_ICEBERG_CATALOGNAME", "restart_it");
    // one worker and a small aggregation budget: the map side takes a few seconds and spills
    env.put("ROLLBACK_FEATURES_THREADS", "1");
    env.put("ROLLBACK_FEATURES_AGGREGATIONMEMORY", "512KB");
    env.put("ROLLBACK_FEATURES_WORKDIR", work.toString());
    env.put("ROLLBACK_FEATURES_PROGRESSINTERVAL", "1s");
    return env;
  }

  private ProcessBuilder jar(Path out, Path err, String... args) {
    List<String> command = new ArrayList<>(List.of("java", "-Xmx512m", "-jar", JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().putAll(env());
    return builder;
  }

  private JsonNode runToEnd(String... args) throws Exception {
    Path out = Files.createTempFile("recompute-out", ".txt");
    Path err = Files.createTempFile("recompute-err", ".txt");
    Process process = jar(out, err, args).start();
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("finished").isTrue();
    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(Files.readString(err)).isZero();
    return Output.JSON.readTree(lines.get(lines.size() - 1));
  }

  private static String[] recompute(String target) {
    return new String[] {"recompute-features", "--pipeline", "customer_txn_features", "--version", "2",
        "--source", "shop.txn", "--target", target, "--reason", "restart test", "--json"};
  }

  @Test
  void aRecomputeKilledMidwayIsRestartedToTheUninterruptedResult() throws Exception {
    Catalog catalog = CatalogLoader.load("restart_it", TestPostgres.get().jdbcCatalogProperties(warehouse));
    Table source = TxnSource.create(catalog, "shop.txn");
    AppendFiles append = source.newAppend();
    for (int f = 0; f < FILES; f++) {
      append.appendFile(GenericDataFiles.write(source, TxnSource.rows(TxnSource.SCHEMA, 100 + f, ROWS_PER_FILE, 200_000)));
    }
    append.commit();

    // start, wait until the job repository has the first map partition COMPLETED, kill
    Path out = Files.createTempFile("killed-out", ".txt");
    Path err = Files.createTempFile("killed-err", ".txt");
    Process killed = jar(out, err, recompute("features.restarted")).start();
    AtomicReference<Long> started = new AtomicReference<>();
    try (Connection db = TestPostgres.get().connect()) {
      await("first partition done in time").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(5))
          .until(() -> {
            assertThat(killed.isAlive()).as("still running: " + Files.readString(err)).isTrue();
            if (started.get() == null) {
              Matcher matcher = EXECUTION.matcher(Files.readString(err));
              started.set(matcher.find() ? Long.parseLong(matcher.group(1)) : null);
            }
            return started.get() != null
                && "COMPLETED".equals(stepStatuses(db, started.get()).get("recompute-map-partition:map-00000"));
          });
    }
    Long execution = started.get();
    killed.destroyForcibly();
    assertThat(killed.waitFor(1, TimeUnit.MINUTES)).isTrue();
    String killedLog = Files.readString(err);
    // no partial commit is visible: the feature table does not even exist yet
    assertThat(catalog.tableExists(TableName.parse("features.restarted"))).as(killedLog).isFalse();

    JsonNode restarted = runToEnd("restart", "--execution", Long.toString(execution), "--json");
    assertThat(restarted.get("status").asText()).isEqualTo("completed");
    long restartExecution = restarted.get("job-execution-id").asLong();

    // the restart ran only what had not completed: never the first map partition, never all partitions
    Map<String, String> before = stepStatuses(execution);
    Map<String, String> after = stepStatuses(restartExecution);
    assertThat(before).containsEntry("recompute-map-partition:map-00000", "COMPLETED");
    assertThat(after).doesNotContainKey("recompute-map-partition:map-00000")
        .containsEntry("recompute-commit", "COMPLETED");
    long partitionsRerun = after.keySet().stream().filter(s -> s.contains("-partition:")).count();
    System.out.println("restart of execution " + execution + " ran " + after.keySet());
    assertThat(partitionsRerun).as("partitions run again: %s", after.keySet()).isBetween(1L, 4L + 2L - 1);
    JsonNode uninterrupted = runToEnd(recompute("features.uninterrupted"));
    assertThat(uninterrupted.get("status").asText()).isEqualTo("completed");

    Table restartedTable = catalog.loadTable(TableName.parse("features.restarted"));
    Table uninterruptedTable = catalog.loadTable(TableName.parse("features.uninterrupted"));
    List<List<Object>> result = ExpectedFeatures.actual(restartedTable, 1);
    assertThat(result).hasSize(uninterrupted.get("rows-written").asInt()).isEqualTo(ExpectedFeatures.actual(uninterruptedTable, 1));
    ExpectedFeatures.assertSameRows(result, ExpectedFeatures.customerTxnV2(TxnSource.read(source, null)));
    assertThat(restartedTable.currentSnapshot().summary())
        .containsEntry("rollback.job-execution-id", Long.toString(restartExecution));

    // the killed attempt's data files were deleted when its partition ran again; the work folder is gone
    assertThat(parquetFiles(restartedTable)).isEqualTo(committedFiles(restartedTable));
    try (Stream<Path> left = Files.list(work)) {
      assertThat(left).isEmpty();
    }
    FaultReport.row("SIGKILL after the first map partition completed", "recompute-features", "restart --execution"
        + " ran only the partitions not completed: rows equal an uninterrupted run's, the killed attempt's data files"
        + " deleted, work folder removed", "none");
  }

  private static Map<String, String> stepStatuses(long jobExecution) throws Exception {
    try (Connection c = TestPostgres.get().connect()) {
      return stepStatuses(c, jobExecution);
    }
  }

  private static Map<String, String> stepStatuses(Connection c, long jobExecution) throws Exception {
    Map<String, String> steps = new HashMap<>();
    try (PreparedStatement s = c.prepareStatement(
        "SELECT step_name, status FROM rollback.batch_step_execution WHERE job_execution_id = ?")) {
      s.setLong(1, jobExecution);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          steps.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return steps;
  }

  private static Set<String> parquetFiles(Table table) throws Exception {
    Path data = Path.of(table.location().replaceFirst("^file:", "")).resolve("data");
    try (Stream<Path> files = Files.walk(data)) {
      return new HashSet<>(files.filter(p -> p.toString().endsWith(".parquet")).map(p -> p.getFileName().toString()).toList());
    }
  }

  private static Set<String> committedFiles(Table table) throws Exception {
    Set<String> names = new HashSet<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        names.add(Path.of(file.location().replaceFirst("^file:", "")).getFileName().toString());
      }
    }
    return names;
  }
}
