package org.rollbackjobs.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.rollbackjobs.jobs.cli.Output;
import org.rollbackjobs.testing.TestPostgres;
import org.springframework.core.env.Environment;

/**
 * The packaged JAR run as a process of its own, for the tests that kill it (SIGKILL) and go on in-process; stdout
 * and stderr go to files.
 */
public record JarProcess(Process process, Path out, Path err) {
  private static final Path JAR = Path.of("target", "rollback-jobs.jar");

  public static JarProcess start(Map<String, String> env, String... args) throws IOException {
    Path out = Files.createTempFile("rollback-jar-out", ".txt");
    Path err = Files.createTempFile("rollback-jar-err", ".txt");
    List<String> command = new ArrayList<>(List.of("java", "-Xmx768m", "-jar", JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().putAll(env);
    return new JarProcess(builder.start(), out, err);
  }

  /**
   * The environment that points a JAR at the test database and at the Iceberg catalog of the in-process test
   * ({@code rollback.iceberg.catalog-name} and its warehouse), so that both see the same tables.
   */
  public static Map<String, String> env(Environment environment) {
    TestPostgres db = TestPostgres.get();
    return env(db.jdbcUrl(), db.user(), db.password(), environment.getRequiredProperty("rollback.iceberg.catalog-name"),
        environment.getRequiredProperty("rollback.iceberg.catalog.warehouse"));
  }

  /** The environment that points a JAR at database {@code url} and at catalog {@code catalogName} there. */
  public static Map<String, String> env(String url, String user, String password, String catalogName,
      String warehouse) {
    Map<String, String> env = new HashMap<>();
    env.put("SPRING_DATASOURCE_URL", url);
    env.put("SPRING_DATASOURCE_USERNAME", user);
    env.put("SPRING_DATASOURCE_PASSWORD", password);
    env.put("ROLLBACK_ICEBERG_CATALOGNAME", catalogName);
    env.put("ROLLBACK_ICEBERG_CATALOG_WAREHOUSE", warehouse);
    return env;
  }

  /** Waits until {@code condition} holds, failing as soon as the process ended first (it ended before the point). */
  public void awaitAlive(String what, Duration poll, BooleanSupplier condition) {
    await(what).atMost(Duration.ofMinutes(3)).pollDelay(Duration.ZERO).pollInterval(poll).until(() -> {
      assertThat(process.isAlive()).as("the process ended before the kill point: %s", stderr()).isTrue();
      return condition.getAsBoolean();
    });
  }

  /** SIGKILL: no shutdown hook, no finally block runs. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
  }

  public int exitCode() throws InterruptedException {
    assertThat(process.waitFor(4, TimeUnit.MINUTES)).as("finished").isTrue();
    return process.exitValue();
  }

  public JsonNode finish(int expectedExit) throws IOException, InterruptedException {
    assertThat(exitCode()).as(stderr()).isEqualTo(expectedExit);
    return json();
  }

  public JsonNode json() throws IOException {
    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertThat(lines).as(stderr()).isNotEmpty();
    return Output.JSON.readTree(lines.get(lines.size() - 1));
  }

  public String stderr() {
    try {
      return Files.readString(err, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no stderr: " + e + ")";
    }
  }
}
