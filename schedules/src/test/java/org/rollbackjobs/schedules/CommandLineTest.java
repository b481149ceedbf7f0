package org.rollbackjobs.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.schedules.RollbackSchedulerApplication.CommandLine;

/** The scheduler's command line is checked without Spring and without a database. */
class CommandLineTest {
  @TempDir Path dir;

  @Test
  void helpAndBadUsage() {
    assertThat(CommandLine.parse(new String[] {"--help"})).satisfies(l -> {
      assertThat(l.exitCode()).isZero();
      assertThat(l.message()).contains("Usage: rollback-scheduler --schedules FILE");
    });
    assertThat(CommandLine.parse(new String[] {}).message()).startsWith("error: --schedules FILE is required");
    assertThat(CommandLine.parse(new String[] {"--schedules"}).exitCode()).isEqualTo(2);
    assertThat(CommandLine.parse(new String[] {"--schedules", "x.yml", "drill"}).message())
        .startsWith("error: unknown argument 'drill'");
    assertThat(CommandLine.parse(new String[] {"--schedules", dir.resolve("none.yml").toString()}))
        .satisfies(l -> {
          assertThat(l.exitCode()).isEqualTo(2);
          assertThat(l.message()).contains("none.yml does not exist");
        });
  }

  @Test
  void aBadSchedulesFileIsExitTwoWithItsLine() throws Exception {
    Path file = Files.writeString(dir.resolve("s.yml"), "drills:\n  - system: a\n    cron: every monday\n");
    CommandLine line = CommandLine.parse(new String[] {"--schedules", file.toString()});
    assertThat(line.exitCode()).isEqualTo(2);
    assertThat(line.message()).contains("s.yml:3", "drills[0]", "'every monday' is not a cron expression");
  }

  @Test
  void aGoodOneGoesToSpringWithTheOtherArguments() throws Exception {
    Path file = Files.writeString(dir.resolve("s.yml"), "drills: [{system: a, cron: '0 0 3 * * *'}]\n");
    CommandLine line = CommandLine.parse(new String[] {"--schedules=" + file, "--server.port=9090"});
    assertThat(line.exitCode()).isNull();
    assertThat(line.springArguments()).containsExactly("--server.port=9090",
        "--rollback.scheduler.schedules=" + file.toAbsolutePath());
  }
}
