package org.rollbackjobs.schedules.definitions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.rollbackjobs.testing.TestPostgres;
import org.springframework.util.FileSystemUtils;

/**
 * The packaged job suite ({@code jobs/target/rollback-jobs.jar}, through its launcher {@code jobs/bin/rollback-jobs})
 * against this test JVM's own database ({@link TestPostgres}), with the example system {@code support-search} made
 * as the README walkthrough makes it, once per JVM: its tables ({@code demo --example-system}), its feature table,
 * its vector index and manifest 1. The definitions' command lines run against it: with {@code --dry-run} added to
 * the commands that change state (drill, rollback), as they are otherwise (report, history: read-only).
 */
final class JobSuite {
  static final ObjectMapper JSON = new ObjectMapper();
  /** schedules/, where surefire runs this module's tests. */
  static final Path MODULE = Path.of("").toAbsolutePath();
  static final Path REPO = MODULE.getParent();
  static final Path DEFINITIONS = MODULE.resolve("definitions");
  static final Path JAR = REPO.resolve("jobs/target/rollback-jobs.jar");
  static final Path LAUNCHER = REPO.resolve("jobs/bin/rollback-jobs");
  static final Path SYSTEMS = REPO.resolve("jobs/examples/systems");
  static final String SYSTEM = "support-search";

  private static JobSuite instance;

  final Path work;
  /** Runs its arguments with the launcher, adding --dry-run to drill and rollback: what definitions call. */
  final Path dryRunLauncher;
  private final Map<String, String> env = new LinkedHashMap<>();

  record Run(List<String> command, int exitCode, List<String> stdout, String stderr) {
    JsonNode json() throws IOException {
      assertThat(stdout).as("stdout of %s; stderr:%n%s", command, stderr).isNotEmpty();
      return JSON.readTree(stdout.get(stdout.size() - 1));
    }

    Run expectExit(int code) {
      assertThat(exitCode).as("exit code of %s; stdout:%n%s%nstderr:%n%s", command, String.join("\n", stdout), stderr)
          .isEqualTo(code);
      return this;
    }
  }

  private JobSuite() throws IOException {
    assertThat(JAR).as("the job JAR: build it first (mvn -B -DskipTests package; in 'mvn verify' the jobs module is"
        + " packaged before this one)").isRegularFile();
    TestPostgres db = TestPostgres.get();
    work = Files.createTempDirectory("rollback-definitions");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> FileSystemUtils.deleteRecursively(work.toFile())));
    env.put("SPRING_DATASOURCE_URL", db.jdbcUrl());
    env.put("SPRING_DATASOURCE_USERNAME", db.user());
    env.put("SPRING_DATASOURCE_PASSWORD", db.password());
    env.put("ROLLBACK_ICEBERG_CATALOGNAME", "definitions");
    env.put("ROLLBACK_ICEBERG_CATALOG_WAREHOUSE", work.resolve("warehouse").toString());
    env.put("ROLLBACK_SYSTEMS_DIR", SYSTEMS.toString());
    dryRunLauncher = work.resolve("rollback-jobs-dry-run");
    Files.writeString(dryRunLauncher, """
        #!/usr/bin/env bash
        args=("$@")
        case "$1" in
          drill|rollback) [[ " $* " == *" --dry-run "* ]] || args+=(--dry-run) ;;
        esac
        exec "%s" "${args[@]}"
        """.formatted(LAUNCHER), StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(dryRunLauncher, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** The job suite with the example system and its manifest 1 in the test database. */
  static synchronized JobSuite withExampleSystem() throws Exception {
    if (instance == null) {
      JobSuite suite = new JobSuite();
      String system = "--system=" + SYSTEM;
      suite.launch("demo", "--example-system", "--json").expectExit(0);
      suite.launch("recompute-features", system, "--feature", "customer_features", "--reason", "setup",
          "--json").expectExit(0);
      suite.launch("rebuild-index", system, "--index", "docs_search", "--create", "--reason", "setup", "--json")
          .expectExit(0);
      assertThat(suite.launch("manifest", "capture", system, "--reason", "setup", "--json").expectExit(0).json()
          .path("manifest-id").asLong()).isEqualTo(1);
      instance = suite;
    }
    return instance;
  }

  /** The environment the job suite runs with here: the test database, the catalog, the example systems. */
  Map<String, String> env() {
    return new LinkedHashMap<>(env);
  }

  /** The launcher with these arguments, as they are. */
  Run launch(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
    command.addAll(List.of(args));
    return run(command, Map.of());
  }

  /** A process with the job suite's environment plus {@code extra}. */
  Run run(List<String> command, Map<String, String> extra) throws Exception {
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
        .directory(work.toFile());
    builder.environment().putAll(env);
    builder.environment().putAll(extra);
    Process process = builder.start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(command + " did not finish in 5 minutes");
    }
    return new Run(command, process.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** {@code bash -c script} with the job suite's environment plus {@code extra}. */
  Run bash(String script, Map<String, String> extra) throws Exception {
    return run(List.of("bash", "-c", script), extra);
  }

  /** The project's version (the root pom's), which the images are tagged with. */
  static String projectVersion() throws Exception {
    var document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(REPO.resolve("pom.xml").toFile());
    var children = document.getDocumentElement().getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if ("version".equals(children.item(i).getNodeName())) {
        return children.item(i).getTextContent().trim();
      }
    }
    throw new AssertionError("no version in the root pom.xml");
  }
}
