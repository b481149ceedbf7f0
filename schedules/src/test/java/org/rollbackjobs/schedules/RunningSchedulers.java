package org.rollbackjobs.schedules;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.rollbackjobs.testing.TestPostgres;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Scheduler instances for tests, in this JVM, against the test database ({@link TestPostgres}: one of this JVM's
 * own), each with its own web port. The job JAR they launch is a recording script: every command line it is given
 * is appended to a file, and it answers as the job JAR's commands do (one JSON line, the documented exit codes) from
 * state files the test controls. The scheduler's part (when, how often, with which arguments, what is recorded) is
 * what these tests check; the job JAR's commands have their own tests.
 */
public final class RunningSchedulers implements AutoCloseable {
  private static final TestPostgres DB = TestPostgres.get();
  static final String URL = DB.jdbcUrl();
  static final String USER = DB.user();
  static final String PASSWORD = DB.password();

  public final Path dir;
  final Path record;
  final Path script;
  public final JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(URL, USER, PASSWORD));
  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

  public RunningSchedulers(Path dir) throws IOException {
    this.dir = dir;
    this.record = dir.resolve("commands.log");
    this.script = dir.resolve("rollback-jobs");
    Files.writeString(script, SCRIPT.replace("@RECORD@", record.toString()).replace("@STATE@", dir.toString()),
        StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** Starts one instance with this schedules file and extra properties. */
  public ConfigurableApplicationContext start(String instance, Path schedules, Map<String, Object> properties) {
    Map<String, Object> all = new java.util.HashMap<>(Map.of(
        "spring.datasource.url", URL, "spring.datasource.username", USER, "spring.datasource.password", PASSWORD,
        "server.port", 0, "rollback.scheduler.schedules", schedules.toString(),
        "rollback.scheduler.job-command", script.toString(), "rollback.scheduler.instance", instance));
    all.putAll(properties);
    // as command-line arguments: they override application.yml (default properties would not)
    ConfigurableApplicationContext context = new SpringApplicationBuilder(RollbackSchedulerApplication.class)
        .run(all.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
    contexts.add(context);
    return context;
  }

  /** The command lines the job JAR was given so far. */
  public List<String> commands() throws IOException {
    return Files.exists(record) ? Files.readAllLines(record) : List.of();
  }

  @Override
  public void close() {
    contexts.forEach(ConfigurableApplicationContext::close);
  }

  /**
   * drill: sleeps DRILL_SECONDS (file drill-seconds, default 1) and passes. approve: records the approval (file
   * approved). rollback: level from the file level (default 4); refused by the approval guard (exit 4) until the
   * file approved exists; then completed (exit 0).
   */
  private static final String SCRIPT = """
      #!/usr/bin/env bash
      echo "$*" >> "@RECORD@"
      state="@STATE@"
      case "$1" in
        drill)
          sleep "$(cat "$state/drill-seconds" 2>/dev/null || echo 1)"
          echo '{"command":"drill","status":"passed","exit-code":0}'
          exit 0 ;;
        approve)
          touch "$state/approved"
          echo '{"command":"approve","status":"completed","exit-code":0}'
          exit 0 ;;
        rollback)
          level="$(cat "$state/level" 2>/dev/null || echo 4)"
          if [[ -f "$state/approved" ]]; then
            if [[ " $* " == *" --dry-run "* ]]; then status=planned; else status=completed; fi
            echo "{\\"command\\":\\"rollback\\",\\"status\\":\\"$status\\",\\"exit-code\\":0,\\"plan-id\\":\\"plan-1\\",\\"level\\":$level,\\"guards\\":[{\\"name\\":\\"approval\\",\\"ok\\":true,\\"message\\":\\"approved\\"}],\\"approvals\\":{\\"required\\":[\\"data-engineering-lead\\"],\\"given\\":[],\\"missing\\":[]}}"
            exit 0
          fi
          echo "{\\"command\\":\\"rollback\\",\\"status\\":\\"refused\\",\\"exit-code\\":4,\\"plan-id\\":\\"plan-1\\",\\"level\\":$level,\\"guards\\":[{\\"name\\":\\"lock\\",\\"ok\\":true,\\"message\\":\\"free\\"},{\\"name\\":\\"approval\\",\\"ok\\":false,\\"message\\":\\"needs approval\\"}],\\"approvals\\":{\\"required\\":[\\"data-engineering-lead\\"],\\"given\\":[],\\"missing\\":[\\"data-engineering-lead\\"]}}"
          exit 4 ;;
      esac
      echo "unknown command $1" >&2
      exit 2
      """;
}
