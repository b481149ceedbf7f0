package org.rollbackjobs.schedules.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.schedules.RunningSchedulers;
import org.springframework.context.ConfigurableApplicationContext;

/** The scheduler serves the drills' figures recorded by the job suite, whoever ran the drills. */
class DrillFiguresTest {
  /** The job suite's own table, as its migration creates it. */
  private static final Path DRILLS_TABLE = Path.of("../jobs/src/main/resources/db/migration/rollback/V10__drills.sql");

  @TempDir Path dir;

  @Test
  void drillsOfTheDatabaseAreCountedTimedAndDated() throws Exception {
    try (RunningSchedulers schedulers = new RunningSchedulers(dir)) {
      schedulers.jdbc.execute("CREATE SCHEMA IF NOT EXISTS rollback");
      if (schedulers.jdbc.queryForObject("SELECT to_regclass('rollback.drills') IS NULL", Boolean.class)) {
        schedulers.jdbc.execute("SET search_path = rollback; " + Files.readString(DRILLS_TABLE)
            + "; SET search_path = public");
      }
      ConfigurableApplicationContext scheduler = schedulers.start("instance-a", Files.writeString(
          dir.resolve("schedules.yml"), "alerts: [{match: {alertname: Nothing}}]\n"), Map.of());
      String system = "figures-" + UUID.randomUUID().toString().substring(0, 8);
      for (Object[] drill : new Object[][] {{"passed", 42_000}, {"passed", 58_000}, {"failed", 7_000},
          {"running", null}}) {
        schedulers.jdbc.update("""
            INSERT INTO rollback.drills (run_id, system, manifest_id, inject, hypothesis, actor, reason, started_at,
              ended_at, verdict, time_to_rollback_ms) VALUES (?, ?, 1, 'none', 'h', 'a', 'r', now() - interval '2 min',
              CASE WHEN ? = 'running' THEN NULL ELSE now() END, ?, ?)""",
            UUID.randomUUID().toString().substring(0, 12), system, drill[0], drill[0], drill[1]);
      }
      scheduler.getBean(DrillFigures.class).refresh();

      String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + scheduler.getEnvironment().getProperty("local.server.port") + "/actuator/prometheus")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      String tag = "system=\"" + system + "\"";
      assertThat(metrics).contains("rollback_drill_total{" + tag + ",verdict=\"passed\"} 2.0",
          "rollback_drill_total{" + tag + ",verdict=\"failed\"} 1.0",
          "rollback_time_to_rollback_seconds_count{kind=\"drill\"," + tag + "} 3",
          "rollback_time_to_rollback_seconds_sum{kind=\"drill\"," + tag + "} 107.0",
          "rollback_last_drill_timestamp_seconds{" + tag + "}");
      assertThat(metrics).doesNotContain("verdict=\"running\"");
    }
  }
}
