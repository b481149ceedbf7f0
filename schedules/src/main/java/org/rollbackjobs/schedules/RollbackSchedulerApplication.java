package org.rollbackjobs.schedules;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rollbackjobs.schedules.file.BadSchedulesException;
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
    CommandLine line = CommandLine.parse(args);
    if (line.exitCode() != null) {
      (line.exitCode() == 0 ? System.out : System.err).print(line.message());
      System.exit(line.exitCode());
    }
    SpringApplication.run(RollbackSchedulerApplication.class, line.springArguments());
  }

  /**
   * The command line, checked before Spring starts: either arguments for Spring (the schedules file read and
   * valid), or an exit code with what to print (0: help; 2: bad usage or a bad schedules file).
   */
  record CommandLine(String[] springArguments, Integer exitCode, String message) {
    static CommandLine parse(String[] args) {
      List<String> spring = new ArrayList<>();
      Path file = null;
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (arg.equals("-h") || arg.equals("--help")) {
          return new CommandLine(null, 0, USAGE);
        } else if (arg.equals("--schedules")) {
          if (i + 1 == args.length) {
            return usage("--schedules needs a file");
          }
          file = Path.of(args[++i]);
        } else if (arg.startsWith("--schedules=")) {
          file = Path.of(arg.substring("--schedules=".length()));
        } else if (arg.startsWith("--") && arg.contains("=")) {
          spring.add(arg);
        } else {
          return usage("unknown argument '" + arg + "'; Spring properties are given as --name=value");
        }
      }
      if (file == null) {
        return usage("--schedules FILE is required");
      }
      try {
        SchedulesFile.read(file);
      } catch (BadSchedulesException e) {
        return new CommandLine(null, 2, "error: " + e.getMessage() + "\n");
      }
      spring.add("--rollback.scheduler.schedules=" + file.toAbsolutePath());
      return new CommandLine(spring.toArray(String[]::new), null, null);
    }

    private static CommandLine usage(String problem) {
      return new CommandLine(null, 2, "error: " + problem + "\n" + USAGE);
    }
  }
}
