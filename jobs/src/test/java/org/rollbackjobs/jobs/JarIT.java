package org.rollbackjobs.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.rollbackjobs.jobs.cli.Output;
import org.rollbackjobs.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged JAR as orchestrators call it: a separate JVM, exit codes from the process, stdout holding the
 * result only (one JSON line with --json), configuration through the documented environment variables.
 */
class JarIT {
  private static final Path JAR = Path.of("target", "rollback-jobs.jar");

  @TempDir Path warehouse;

  record Run(int exitCode, List<String> stdout, String stderr) {
    JsonNode json() throws IOException {
      return Output.JSON.readTree(stdout.get(stdout.size() - 1));
    }
  }

  private Run jar(Map<String, String> env, String... args) throws Exception {
    return run(List.of("java", "-jar", JAR.toString()), env, args);
  }

  private Run run(List<String> launcher, Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(launcher);
    command.addAll(List.of(args));
    Path out = Files.createTempFile("jar-out", ".txt");
    Path err = Files.createTempFile("jar-err", ".txt");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().putAll(env);
    Process process = builder.start();
    assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("jar finished").isTrue();
    return new Run(process.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** Configured only through the environment variable names that the README documents. */
  private Map<String, String> env() {
    TestPostgres db = TestPostgres.get();
    return Map.of(
        "SPRING_DATASOURCE_URL", db.jdbcUrl(),
        "SPRING_DATASOURCE_USERNAME", db.user(),
        "SPRING_DATASOURCE_PASSWORD", db.password(),
        "ROLLBACK_ICEBERG_CATALOG_TYPE", "jdbc",
        "ROLLBACK_ICEBERG_CATALOG_URI", db.jdbcUrl(),
        "ROLLBACK_ICEBERG_CATALOG_JDBC_USER", db.user(),
        "ROLLBACK_ICEBERG_CATALOG_JDBC_PASSWORD", db.password(),
        "ROLLBACK_ICEBERG_CATALOG_WAREHOUSE", warehouse.toString(),
        "ROLLBACK_ICEBERG_CATALOGNAME", "jar_it");
  }

  @Test
  void helpNeedsNoDatabase() throws Exception {
    Run run = jar(Map.of("SPRING_DATASOURCE_URL", "jdbc:postgresql://127.0.0.1:1/none"), "restore", "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(String.join("\n", run.stdout())).contains("--to-snapshot", "--to-timestamp", "--to-tag", "--reason", "--dry-run");
  }

  @Test
  void missingCommandAndUnknownOptionAreUsageErrors() throws Exception {
    assertThat(jar(Map.of()).exitCode()).isEqualTo(2);
    Run unknown = jar(Map.of(), "restore", "--table", "a.b", "--to-tag", "t", "--frobnicate", "--json");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.json().get("error").asText()).contains("--frobnicate");
  }

  @Test
  void demoRestoresAndPrintsOneJsonLineWithTheWarehouseFromTheEnvironment() throws Exception {
    Run demo = jar(env(), "demo", "--json");
    assertThat(demo.exitCode()).as(demo.stderr()).isZero();
    assertThat(demo.stdout()).hasSize(1);
    JsonNode json = demo.json();
    assertThat(json.get("content-equals-known-good").asBoolean()).isTrue();
    assertThat(json.get("rows-after")).hasSize(5);
    assertThat(json.get("job-execution-id").asLong()).isPositive();
    try (var files = Files.walk(warehouse)) {
      assertThat(files.filter(p -> p.toString().endsWith(".parquet")).count()).isGreaterThanOrEqualTo(3);
    }

    Run bad = jar(env(), "restore", "--table", "demo.orders", "--to-snapshot", "42", "--reason", "test", "--json");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.stdout()).hasSize(1);
    assertThat(bad.json().get("error").asText()).contains("snapshot 42 does not exist", "available snapshots");

    Run snapshots = jar(env(), "snapshots", "--table", "demo.orders", "--json");
    assertThat(snapshots.exitCode()).isZero();
    assertThat(snapshots.json().get("snapshots")).hasSize(4);
  }

  /** jobs/bin/rollback-jobs: the same commands and exit codes, run from a layout extracted once and then reused. */
  @Test
  void theLauncherRunsTheExtractedLayoutWithTheJarsCommandsAndExitCodes(@TempDir Path cache) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(env());
    env.put("ROLLBACK_JOBS_CACHE", cache.toString());
    env.put("ROLLBACK_ICEBERG_CATALOGNAME", "jar_it_launcher"); // its own demo table, beside the other test's
    List<String> launcher = List.of("bash", Path.of("bin", "rollback-jobs").toString());

    Run demo = run(launcher, env, "demo", "--json");
    assertThat(demo.exitCode()).as(demo.stderr()).isZero();
    assertThat(demo.stdout()).hasSize(1);
    assertThat(demo.json().get("content-equals-known-good").asBoolean()).isTrue();
    List<Path> layouts;
    try (var dirs = Files.list(cache)) {
      layouts = dirs.toList();
    }
    assertThat(layouts).as("one extracted layout, nothing left of the staging").hasSize(1);
    Path layout = layouts.get(0);
    assertThat(layout.resolve("rollback-jobs.jar")).isRegularFile();
    assertThat(layout.resolve("lib")).isDirectoryContaining(p -> p.getFileName().toString().startsWith("iceberg-core"));
    var extracted = Files.getLastModifiedTime(layout.resolve("rollback-jobs.jar"));
    assertThat(layout).as("the class-data archive of the first launch's training run")
        .isDirectoryContaining(p -> p.getFileName().toString().matches("start-[0-9a-f]+\\.(jsa|aot)"));

    Run bad = run(launcher, env, "restore", "--table", "demo.orders", "--to-snapshot", "42", "--reason", "test", "--json");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.stdout()).as("started with the archive: no JVM message on stdout").hasSize(1);
    assertThat(bad.json().get("error").asText()).contains("snapshot 42 does not exist");
    assertThat(Files.getLastModifiedTime(layout.resolve("rollback-jobs.jar"))).as("reused, not extracted again")
        .isEqualTo(extracted);
    try (var dirs = Files.list(cache)) {
      assertThat(dirs.toList()).containsExactly(layout);
    }

    Run history = run(launcher, env, "history", "--json");
    assertThat(history.exitCode()).as(history.stderr()).isZero();
    assertThat(history.stdout()).hasSize(1);
    try (var files = Files.list(layout)) {
      List<String> archives = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("start-")).toList();
      if (archives.stream().anyMatch(n -> n.endsWith(".jsa"))) { // JDK 17-24: read-only commands, a smaller one
        assertThat(archives).anyMatch(n -> n.matches("start-[0-9a-f]+-read\\.jsa"))
            .anyMatch(n -> n.matches("start-[0-9a-f]+\\.jsa"));
      }
    }

    // short commands run with C1 only, long ones with both compilers; JAVA_OPTS comes last and can override
    Map<String, String> flags = new java.util.HashMap<>(env);
    flags.put("JAVA_OPTS", "-XX:+PrintFlagsFinal");
    assertThat(tieredStopAtLevel(run(launcher, flags, "history", "--help"))).isEqualTo("1");
    assertThat(tieredStopAtLevel(run(launcher, flags, "manifest", "list", "--help"))).isEqualTo("1");
    assertThat(tieredStopAtLevel(run(launcher, flags, "recompute-features", "--help"))).isEqualTo("4");
    assertThat(tieredStopAtLevel(run(launcher, flags, "manifest", "capture", "--help"))).isEqualTo("4");
    try (var files = Files.list(layout)) {
      if (files.anyMatch(p -> p.getFileName().toString().endsWith(".jsa"))) { // JDK 17-24: a CDS archive
        assertThat(flag(run(launcher, flags, "--help"), "ArchiveRelocationMode")).as("help maps it in place")
            .isEqualTo("0");
      }
    }
    flags.put("JAVA_OPTS", "-XX:+PrintFlagsFinal -XX:TieredStopAtLevel=4");
    assertThat(tieredStopAtLevel(run(launcher, flags, "history", "--help"))).isEqualTo("4");

    Map<String, String> noJar = new java.util.HashMap<>(env);
    noJar.put("ROLLBACK_JOBS_JAR", cache.resolve("missing.jar").toString());
    Run missing = run(launcher, noJar, "history");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.stderr()).contains("no JAR at", "missing.jar", "ROLLBACK_JOBS_JAR");
  }

  private static String tieredStopAtLevel(Run run) {
    return flag(run, "TieredStopAtLevel");
  }

  /** A JVM flag's value as -XX:+PrintFlagsFinal printed it. */
  private static String flag(Run run, String name) {
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    return run.stdout().stream().filter(l -> l.matches("\\s*\\w+ " + name + "\\s+=.*")).findFirst()
        .map(l -> l.replaceAll(".*=\\s*(\\d+).*", "$1")).orElseThrow();
  }

  @Test
  void anUnreachableDatabaseIsOneClearErrorNotAStackTrace() throws Exception {
    Run run = jar(Map.of("SPRING_DATASOURCE_URL", "jdbc:postgresql://127.0.0.1:1/none"), "history", "--json");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.json().get("error").asText()).contains("cannot connect to PostgreSQL", "pgvector-local.sh");
    assertThat(run.stderr()).doesNotContain("\tat org.springframework");
  }

  @Test
  void anInvalidCatalogConfigurationIsBadInput() throws Exception {
    Map<String, String> env = new java.util.HashMap<>(env());
    env.put("ROLLBACK_ICEBERG_CATALOG_TYPE", "nosuch");
    Run run = jar(env, "snapshots", "--table", "demo.orders", "--json");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.json().get("error").asText()).contains("rollback.iceberg.catalog", "nosuch");
  }
}
