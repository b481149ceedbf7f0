package org.rollbackjobs.schedules.definitions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.schedules.SchedulerCommandLines;
import org.springframework.util.FileSystemUtils;

/**
 * The systemd units of {@code schedules/definitions/systemd}: checked by {@code systemd-analyze verify} in a root laid
 * out as the README installs them (the launchers in /opt/rollback-jobs/bin, the units in /etc/systemd/system, the
 * system's own units beside), and their ExecStart command lines run: the drill's against the job JAR (with
 * --dry-run), the scheduler's through its command-line check (the example schedules file for its path).
 */
class SystemdUnitsTest {
  private static final Path SYSTEMD = JobSuite.DEFINITIONS.resolve("systemd");
  private static final List<String> UNITS = List.of("rollback-drill.service", "rollback-drill.timer",
      "rollback-scheduler.service");
  private static final String BIN = "/opt/rollback-jobs/bin/";

  @TempDir Path root;

  record Result(int exitCode, String output) {}

  /** systemd-analyze verify of the units, installed in a root of the test's. */
  Result verify(Path units) throws Exception {
    Path installed = root.resolve("etc/systemd/system");
    Files.createDirectories(installed);
    Files.createDirectories(root.resolve("opt/rollback-jobs/bin"));
    Files.copy(JobSuite.LAUNCHER, root.resolve("opt/rollback-jobs/bin/rollback-jobs"));
    Files.copy(JobSuite.REPO.resolve("schedules/bin/rollback-scheduler"),
        root.resolve("opt/rollback-jobs/bin/rollback-scheduler"));
    // the system's own units (targets, and their .wants symlinks as they are)
    Files.createDirectories(root.resolve("usr/lib/systemd"));
    Process copy = new ProcessBuilder("cp", "-a", "/usr/lib/systemd/system", root.resolve("usr/lib/systemd").toString())
        .inheritIO().start();
    assertThat(copy.waitFor()).as("cp -a /usr/lib/systemd/system").isZero();
    List<String> command = new ArrayList<>(List.of("systemd-analyze", "verify", "--root=" + root));
    for (String unit : UNITS) {
      Files.copy(units.resolve(unit), installed.resolve(unit));
      command.add("/etc/systemd/system/" + unit);
    }
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("systemd-analyze is needed (Debian: apt-get install systemd; .ci/run installs it)", e);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return new Result(process.exitValue(), output);
  }

  @Test
  void systemdAnalyzeVerifyFindsNothing() throws Exception {
    Result result = verify(SYSTEMD);
    assertThat(result.output()).as("systemd-analyze verify said").isEmpty();
    assertThat(result.exitCode()).isZero();
  }

  /** What verify catches: a mistyped key is a warning (output), a missing executable an error. */
  @Test
  void verifyFindsAMistypedKeyAndAMissingExecutable(@TempDir Path broken) throws Exception {
    FileSystemUtils.copyRecursively(SYSTEMD, broken);
    Path timer = broken.resolve("rollback-drill.timer");
    Files.writeString(timer, Files.readString(timer).replace("Persistent=true", "Persistant=true"));
    Path service = broken.resolve("rollback-drill.service");
    Files.writeString(service, Files.readString(service).replace(BIN + "rollback-jobs", BIN + "rollback-job"));
    Result result = verify(broken);
    assertThat(result.output()).contains("Unknown key 'Persistant'", BIN + "rollback-job is not executable");
    assertThat(result.exitCode()).isNotZero();
  }

  @Test
  void theDrillIsAOneshotOnAPersistentWeeklyTimerAndTheSchedulerStopsGracefully() throws Exception {
    Map<String, String> drill = unit("rollback-drill.service");
    assertThat(drill.get("Service.Type")).isEqualTo("oneshot");
    assertThat(drill.get("Service.EnvironmentFile")).isEqualTo("/etc/rollback-jobs/rollback-jobs.env");
    Map<String, String> timer = unit("rollback-drill.timer");
    assertThat(timer.get("Timer.Persistent")).isEqualTo("true");
    assertThat(timer.get("Install.WantedBy")).isEqualTo("timers.target");
    assertThat(calendar(timer.get("Timer.OnCalendar"))).isEqualTo(Duration.ofDays(7));

    Map<String, String> scheduler = unit("rollback-scheduler.service");
    assertThat(scheduler.get("Service.KillMode")).as("SIGTERM to the scheduler alone: it stops its children itself")
        .isEqualTo("mixed");
    // past rollback.scheduler.shutdown-grace (5m) and the 30 s between the child's SIGTERM and SIGKILL
    assertThat(Duration.parse("PT" + scheduler.get("Service.TimeoutStopSec").replace("min", "M").toUpperCase()))
        .isGreaterThan(Duration.ofMinutes(5).plusSeconds(30));
    assertThat(scheduler.get("Service.Environment")).contains("ROLLBACK_SCHEDULER_JOBCOMMAND=" + BIN + "rollback-jobs");
    assertThat(scheduler.get("Service.Environment")).doesNotContain("ROLLBACK_ALERT_TOKEN");
  }

  @Test
  void theirCommandLinesAreCommandsOfTheJarAndTheScheduler() throws Exception {
    List<String> drill = execStart(unit("rollback-drill.service"));
    assertThat(drill.get(0)).isEqualTo(BIN + "rollback-jobs");
    JobSuite suite = JobSuite.withExampleSystem();
    List<String> command = new ArrayList<>(drill);
    command.set(0, suite.dryRunLauncher.toString());
    JsonNode json = suite.run(command, Map.of()).expectExit(0).json();
    assertThat(json.path("command").asText()).isEqualTo("drill");
    assertThat(json.path("status").asText()).isEqualTo("planned");
    assertThat(json.path("system").asText()).isEqualTo(JobSuite.SYSTEM);

    List<String> scheduler = execStart(unit("rollback-scheduler.service"));
    assertThat(scheduler.subList(0, 3)).containsExactly(BIN + "rollback-scheduler", "--schedules",
        "/etc/rollback-jobs/schedules.yml");
    List<String> args = new ArrayList<>(scheduler.subList(1, scheduler.size()));
    args.set(1, JobSuite.REPO.resolve("schedules/examples/schedules.yml").toString());
    assertThat(SchedulerCommandLines.problem(args.toArray(String[]::new))).isNull();
    args.set(1, "/etc/rollback-jobs/none.yml");
    assertThat(SchedulerCommandLines.problem(args.toArray(String[]::new))).contains("does not exist");
  }

  /** The time between the next two elapses of an OnCalendar expression, by systemd-analyze calendar. */
  private static Duration calendar(String expression) throws Exception {
    Process process = new ProcessBuilder("systemd-analyze", "calendar", "--iterations=2", expression)
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    List<java.time.Instant> elapses = output.lines()
        .filter(l -> l.contains("Next elapse:") || l.contains("Iter. #2:"))
        .map(l -> l.substring(l.indexOf(':') + 1).trim()) // "Mon 2026-12-07 03:00:00 UTC"
        .map(t -> java.time.LocalDateTime.parse(t.substring(4, 23).replace(' ', 'T'))
            .toInstant(java.time.ZoneOffset.UTC))
        .toList();
    assertThat(elapses).as(output).hasSize(2);
    assertThat(output).contains("UTC");
    return Duration.between(elapses.get(0), elapses.get(1));
  }

  /** A unit file's settings as Section.Key; a key given more than once joined by newlines. */
  private static Map<String, String> unit(String name) throws IOException {
    Map<String, String> settings = new LinkedHashMap<>();
    String section = "";
    for (String line : Files.readAllLines(SYSTEMD.resolve(name))) {
      line = line.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[")) {
        section = line.substring(1, line.indexOf(']'));
      } else {
        int eq = line.indexOf('=');
        settings.merge(section + "." + line.substring(0, eq).strip(), line.substring(eq + 1).strip(),
            (a, b) -> a + "\n" + b);
      }
    }
    return settings;
  }

  /** ExecStart split as systemd splits it: words, double-quoted words with their quotes removed. */
  private static List<String> execStart(Map<String, String> unit) {
    String line = unit.get("Service.ExecStart");
    assertThat(line).as("ExecStart").isNotNull().doesNotContain("\n", "%", "$", "\\", "'");
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (char c : line.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
        any = true;
      } else if (c == ' ' && !quoted) {
        if (any) {
          words.add(word.toString());
        }
        word.setLength(0);
        any = false;
      } else {
        word.append(c);
        any = true;
      }
    }
    assertThat(quoted).as("unbalanced quotes in %s", line).isFalse();
    if (any) {
      words.add(word.toString());
    }
    return words;
  }
}
