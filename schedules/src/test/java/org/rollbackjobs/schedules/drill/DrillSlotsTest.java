package org.rollbackjobs.schedules.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.schedules.RunningSchedulers;
import org.springframework.context.ConfigurableApplicationContext;

/** Drills on a schedule: once per slot across instances, graceful stop, missed slots. */
class DrillSlotsTest {
  @TempDir Path dir;

  private Path schedules(String system, String cron, boolean catchUp) throws Exception {
    return Files.writeString(dir.resolve("schedules.yml"), """
        drills:
          - system: %s
            cron: "%s"
            zone: UTC
            inject: bad-load
            catch-up: %s
        """.formatted(system, cron, catchUp));
  }

  private static List<Map<String, Object>> slots(RunningSchedulers schedulers, String system) {
    return schedulers.jdbc.queryForList("SELECT * FROM rollback_scheduler.drill_slots WHERE drill LIKE ? ORDER BY"
        + " slot", system + " @%");
  }

  @Test
  void twoInstancesRunEverySlotExactlyOnce() throws Exception {
    String system = "once-" + UUID.randomUUID().toString().substring(0, 8);
    try (RunningSchedulers schedulers = new RunningSchedulers(dir)) {
      Path file = schedules(system, "*/20 * * * * *", false);
      Instant start = Instant.now();
      schedulers.start("instance-a", file, Map.of());
      schedulers.start("instance-b", file, Map.of());
      Thread.sleep(Duration.ofSeconds(Long.getLong("scheduler.test.seconds", 120)).toMillis());
      schedulers.close();
      Instant end = Instant.now();

      List<Map<String, Object>> slots = slots(schedulers, system);
      List<String> drills = schedulers.commands().stream().filter(c -> c.contains(system)).toList();
      // every slot between start and end: 20 s apart, one row each, each passed, each launched once
      assertThat(slots).hasSizeGreaterThanOrEqualTo(5);
      assertThat(drills).hasSize(slots.size());
      assertThat(drills).allSatisfy(c -> assertThat(c).startsWith("drill --system " + system + " --inject bad-load"
          + " --reason scheduled drill, slot ").endsWith("--actor rollback-scheduler --json"));
      for (int i = 0; i < slots.size(); i++) {
        Instant slot = ((Timestamp) slots.get(i).get("slot")).toInstant();
        assertThat(slots.get(i).get("status")).isEqualTo("passed");
        assertThat(slots.get(i).get("exit_code")).isEqualTo(0);
        assertThat(slot.getEpochSecond() % 20).isZero();
        assertThat(slot).isAfter(start).isBefore(end);
        if (i > 0) {
          assertThat(Duration.between(((Timestamp) slots.get(i - 1).get("slot")).toInstant(), slot))
              .isEqualTo(Duration.ofSeconds(20));
        }
      }
      long expected = (end.getEpochSecond() / 20) - (start.getEpochSecond() / 20);
      assertThat((long) slots.size()).isBetween(expected - 1, expected);
      assertThat(slots).extracting(s -> s.get("instance")).allSatisfy(i ->
          assertThat(i).isIn("instance-a", "instance-b"));
    }
  }

  @Test
  void aStopDuringADrillRecordsItAbortedAndTheNextSlotRuns() throws Exception {
    String system = "stop-" + UUID.randomUUID().toString().substring(0, 8);
    try (RunningSchedulers schedulers = new RunningSchedulers(dir)) {
      Path file = schedules(system, "*/15 * * * * *", false);
      Files.writeString(dir.resolve("drill-seconds"), "120");
      ConfigurableApplicationContext a = schedulers.start("instance-a", file,
          Map.of("rollback.scheduler.shutdown-grace", "2s"));
      Instant deadline = Instant.now().plusSeconds(40);
      while (slots(schedulers, system).isEmpty() && Instant.now().isBefore(deadline)) {
        Thread.sleep(200);
      }
      assertThat(slots(schedulers, system)).singleElement().satisfies(s ->
          assertThat(s.get("status")).isEqualTo("running"));
      a.close(); // what SIGTERM does: Spring's shutdown hook closes the context

      Map<String, Object> stopped = slots(schedulers, system).get(0);
      assertThat(stopped.get("status")).isEqualTo("aborted");
      assertThat((String) stopped.get("error")).contains("stopped by the scheduler");
      Timestamp lockUntil = schedulers.jdbc.queryForObject("SELECT lock_until FROM rollback_scheduler.shedlock"
          + " WHERE name = ?", Timestamp.class, "drill:" + Integer.toHexString((system + " @ */15 * * * * *")
          .hashCode()));
      // released: held only for the minimum (half the interval after the slot), not for the drill timeout
      assertThat(lockUntil.toInstant()).isBefore(((Timestamp) stopped.get("slot")).toInstant().plusSeconds(8));

      Files.writeString(dir.resolve("drill-seconds"), "1");
      schedulers.start("instance-b", file, Map.of());
      deadline = Instant.now().plusSeconds(40);
      while (slots(schedulers, system).stream().noneMatch(s -> "passed".equals(s.get("status")))
          && Instant.now().isBefore(deadline)) {
        Thread.sleep(200);
      }
      assertThat(slots(schedulers, system)).anySatisfy(s -> {
        assertThat(s.get("status")).isEqualTo("passed");
        assertThat(s.get("instance")).isEqualTo("instance-b");
      });
    }
  }

  @Test
  void slotsMissedWhileNoSchedulerRanAreRecordedAndTheNewestRunsOnceWithCatchUp() throws Exception {
    String system = "missed-" + UUID.randomUUID().toString().substring(0, 8);
    String drill = system + " @ 0 0 * * * *";
    try (RunningSchedulers schedulers = new RunningSchedulers(dir)) {
      // the last slot anybody ran was five hours ago
      Instant lastRun = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS).minus(Duration.ofHours(5));
      schedulers.jdbc.update("INSERT INTO rollback_scheduler.drill_slots (drill, slot, status, instance) VALUES"
          + " (?, ?, 'passed', 'gone')", drill, Timestamp.from(lastRun));
      schedulers.start("instance-a", schedules(system, "0 0 * * * *", true), Map.of());
      Instant deadline = Instant.now().plusSeconds(30);
      while (slots(schedulers, system).stream().noneMatch(s -> "passed".equals(s.get("status"))
          && !"gone".equals(s.get("instance"))) && Instant.now().isBefore(deadline)) {
        Thread.sleep(200);
      }
      schedulers.close();
      List<Map<String, Object>> slots = slots(schedulers, system);
      assertThat(slots).hasSize(6); // the old one, four missed, the newest missed one run now
      assertThat(slots.subList(1, 5)).allSatisfy(s -> assertThat(s.get("status")).isEqualTo("missed"));
      assertThat(slots.get(5).get("status")).isEqualTo("passed");
      assertThat(schedulers.commands().stream().filter(c -> c.contains(system))).hasSize(1);
    }
  }
}
