package org.rollbackjobs.jobs.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.jobs.CliHarness;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** {@code report}: its figures equal those computed by hand from recorded drills and rollbacks. */
class ReportTest extends CliHarness {
  @Autowired JdbcTemplate jdbc;

  @Test
  void theFiguresAreThoseOfTheRecordedRuns() throws Exception {
    String system = "rp" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    Instant now = Instant.now();
    drill(system, now.minus(Duration.ofDays(3)), "passed", 1_000, 100, 900);
    drill(system, now.minus(Duration.ofDays(2)), "passed", 3_000, 200, 2_800);
    drill(system, now.minus(Duration.ofDays(1)), "failed", 2_000, 300, 1_700);
    drill(system, now.minus(Duration.ofHours(1)), "passed", 4_000, 100, 3_900);
    drill(system, now.minus(Duration.ofDays(200)), "passed", 9_000, 100, 8_900); // outside the window
    rollback(system, now.minus(Duration.ofDays(5)), "completed", 10_000);
    rollback(system, now.minus(Duration.ofDays(4)), "completed", 20_000);
    rollback(system, now.minus(Duration.ofDays(4)), "failed", 5_000);
    String stale = "rs" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    drill(stale, now.minus(Duration.ofDays(40)), "passed", 500, 100, 400);

    Result result = run("report", "--system", system, "--json");
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    JsonNode json = result.json();
    assertThat(json.get("command").asText()).isEqualTo("report");
    assertThat(json.get("since").asText()).isNotBlank();
    JsonNode figures = json.get("systems").get(0);
    assertThat(figures.get("system").asText()).isEqualTo(system);
    assertThat(figures.get("drills").asInt()).isEqualTo(4);
    assertThat(figures.get("passed").asInt()).isEqualTo(3);
    assertThat(figures.get("pass-rate").asDouble()).isEqualTo(0.75);
    assertThat(figures.get("stale").asBoolean()).isFalse();
    // time-to-rollback of the drills, sorted: 1000, 2000, 3000, 4000 (nearest rank)
    assertThat(figures.get("time-to-rollback-p50-ms").asLong()).isEqualTo(2_000);
    assertThat(figures.get("time-to-rollback-p95-ms").asLong()).isEqualTo(4_000);
    assertThat(figures.get("time-to-rollback-max-ms").asLong()).isEqualTo(4_000);
    assertThat(figures.get("rollbacks").asInt()).isEqualTo(3);
    assertThat(figures.get("rollback-success-rate").asDouble()).isCloseTo(2.0 / 3, org.assertj.core.data.Offset
        .offset(1e-9));
    assertThat(figures.get("mttr-ms").asLong()).isEqualTo(15_000);
    assertThat(figures.get("slowest-phase").asText()).isEqualTo("rollback");

    JsonNode old = run("report", "--system", stale, "--json").json().get("systems").get(0);
    assertThat(old.get("drills").asInt()).isEqualTo(1);
    assertThat(old.get("stale").asBoolean()).as("last drill 40 days ago, max age 31d").isTrue();
    JsonNode none = run("report", "--system", stale, "--since", "7d", "--json").json().get("systems").get(0);
    assertThat(none.get("drills").asInt()).isZero();
    assertThat(none.get("stale").asBoolean()).isTrue();

    Path page = Files.createTempFile("report", ".html");
    Result html = run("report", "--system", system, "--html", page.toString());
    assertThat(html.exitCode()).as(html.stderr()).isZero();
    String content = Files.readString(page);
    assertThat(content).startsWith("<!DOCTYPE html>").contains(system, "75 %", "2.0 s", "15.0 s", "<svg")
        .doesNotContain("<script", "http://", "https://");

    // rendered by a browser: no console message, the figures in the document, the phases drawn as bars
    String dom = chromium(page, "--dump-dom");
    assertThat(dom).contains("<table id=\"figures\">", system, "75 %", "2.0 s", "4.0 s", "15.0 s", "67 %");
    Path png = page.resolveSibling(page.getFileName() + ".png");
    chromium(page, "--screenshot=" + png, "--window-size=1000,1400");
    BufferedImage shot = ImageIO.read(png.toFile());
    assertThat(pixels(shot, 0x4e79a7)).as("first phase's bars (sandbox)").isGreaterThan(4 * 14 * 20);
    assertThat(pixels(shot, 0xf28e2b)).as("second phase's bars (rollback)").isGreaterThan(4 * 14 * 400);
  }

  /**
   * Runs Debian's headless Chromium on the page; returns its stdout. It must end well and the page must log nothing
   * to the console (the page has no script: a message would be an error, a blocked resource say).
   */
  private static String chromium(Path page, String... what) throws Exception {
    Path out = Files.createTempFile("chromium", ".out");
    Path err = Files.createTempFile("chromium", ".err");
    List<String> command = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
        "--enable-logging=stderr", "--v=0", "--user-data-dir=" + Files.createTempDirectory("chromium")));
    command.addAll(List.of(what));
    command.add(page.toUri().toString());
    Process process;
    try {
      process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    } catch (IOException e) {
      throw new AssertionError("the HTML page is checked in headless Chromium: install Debian's chromium package"
          + " (apt-get install chromium; .ci/run does)", e);
    }
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("chromium finished").isTrue();
    String log = Files.readString(err);
    assertThat(process.exitValue()).as(log).isZero();
    assertThat(log.lines().filter(l -> l.contains(":CONSOLE")).toList()).as("console messages").isEmpty();
    return Files.readString(out);
  }

  private static long pixels(BufferedImage image, int rgb) {
    long count = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        count += (image.getRGB(x, y) & 0xffffff) == rgb ? 1 : 0;
      }
    }
    return count;
  }

  @Test
  void aBadWindowIsExitTwo() {
    Result bad = run("report", "--since", "a while", "--json");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.json().get("error").asText()).contains("--since 'a while' is not a duration");
  }

  private void drill(String system, Instant start, String verdict, long timeToRollback, long sandbox, long rollback) {
    String phases = "[{\"name\":\"sandbox\",\"duration-ms\":" + sandbox + "},{\"name\":\"rollback\",\"duration-ms\":"
        + rollback + "}]";
    jdbc.update("INSERT INTO rollback.drills (run_id, system, manifest_id, inject, hypothesis, actor, reason,"
            + " started_at, ended_at, verdict, exit_code, production_untouched, time_to_rollback_ms, phases)"
            + " VALUES (?, ?, 1, 'none', 'h', 'test', 'test', ?, ?, ?, 0, true, ?, ?::jsonb)",
        UUID.randomUUID().toString().replace("-", "").substring(0, 12), system, Timestamp.from(start),
        Timestamp.from(start.plusMillis(timeToRollback)), verdict, timeToRollback, phases);
  }

  private void rollback(String system, Instant start, String outcome, long timeToRollback) {
    jdbc.update("INSERT INTO rollback.rollbacks (job_instance_id, job_execution_id, system, manifest_id, plan_id,"
            + " level, actor, reason, started_at, ended_at, time_to_rollback_ms, outcome)"
            + " VALUES (?, ?, ?, 1, 'p', 4, 'test', 'test', ?, ?, ?, ?)",
        -ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE), -1L, system, Timestamp.from(start),
        Timestamp.from(start.plusMillis(timeToRollback)), timeToRollback, outcome);
  }
}
