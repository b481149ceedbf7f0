package org.rollbackjobs.schedules;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rollbackjobs.schedules.file.BadSchedulesException;
import org.rollbackjobs.schedules.file.Schedules;
import org.rollbackjobs.schedules.file.SchedulesFile;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The rollback scheduler: {@code rollback-scheduler --schedules FILE [--server.port=N] [Spring properties]}. The
 * command line and the schedules file are checked before Spring starts (exit 2 with what was wrong).
 */
@SpringBootApplication
public class RollbackSchedulerApplication {
  static final String USAGE = """
      Usage: rollback-scheduler --schedules FILE [--server.port=PORT] [--NAME=VALUE ...]
      Runs rollback drills on cron (once per slot across every scheduler on the same database), starts rollbacks
      on Alertmanager alerts (POST /alerts with a bearer token from ROLLBACK_ALERT_TOKEN), and serves
      /actuator/health and /actuator/prometheus. The same datasource and catalog configuration as the job JAR.
        --schedules FILE   the schedules file (YAML: drills, alerts); see schedules/README.md
        -h, --help         this help
      """;

  public static void main(String[] args) {
    List<String> spring = new ArrayList<>();
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("-h") || arg.equals("--help")) {
        System.out.print(USAGE);
        return;
      } else if (arg.equals("--schedules")) {
        if (i + 1 == args.length) {
          fail("--schedules needs a file");
        }
        file = Path.of(args[++i]);
      } else if (arg.startsWith("--schedules=")) {
        file = Path.of(arg.substring("--schedules=".length()));
      } else if (arg.startsWith("--") && arg.contains("=")) {
        spring.add(arg);
      } else {
        fail("unknown argument '" + arg + "'; Spring properties are given as --name=value");
      }
    }
    if (file == null) {
      fail("--schedules FILE is required");
    }
    try {
      Schedules schedules = SchedulesFile.read(file);
      if (schedules.drills().isEmpty() && schedules.alerts().isEmpty()) {
        fail(file + " has no drills and no alert rules");
      }
    } catch (BadSchedulesException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
    }
    spring.add("--rollback.scheduler.schedules=" + file.toAbsolutePath());
    SpringApplication.run(RollbackSchedulerApplication.class, spring.toArray(String[]::new));
  }

  private static void fail(String message) {
    System.err.println("error: " + message);
    System.err.print(USAGE);
    System.exit(2);
  }
}
