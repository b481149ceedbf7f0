package org.rollbackjobs.schedules.launch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one command of the job JAR as a child process, the way an orchestrator does: a crashing or killed job never
 * takes the scheduler down. The child's stderr (its progress and logs) goes to the scheduler's stderr; its last
 * stdout line is the command's one JSON result ({@code --json}). The configuration the child needs (datasource,
 * catalog, systems) travels in the environment ({@code SPRING_APPLICATION_JSON}), never on the command line.
 */
public class JobCommand {
  private static final Logger log = LoggerFactory.getLogger(JobCommand.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A finished command: its exit code (-1: stopped by the scheduler), its JSON result (null: none printed). */
  public record Result(int exitCode, JsonNode json, boolean stopped) {
    /** The drill or rollback ended without an exit code of its own: killed, timed out, crashed JVM. */
    public boolean aborted() {
      return stopped || exitCode > 4 || exitCode < 0;
    }

    public String text(String field) {
      return json == null || !json.hasNonNull(field) ? null : json.get(field).asText();
    }
  }

  private final List<String> launcher;
  private final Map<String, String> environment;
  private final Set<Process> running = ConcurrentHashMap.newKeySet();
  private final Set<Process> stopped = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicInteger units = new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean stopping;

  public JobCommand(List<String> launcher, Map<String, String> environment) {
    this.launcher = List.copyOf(launcher);
    this.environment = Map.copyOf(environment);
  }

  public List<String> launcher() {
    return launcher;
  }

  /** Runs {@code arguments}, waiting at most {@code timeout}; an interrupt stops the child too. */
  public Result run(List<String> arguments, Duration timeout) {
    List<String> command = new ArrayList<>(launcher);
    command.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().putAll(environment);
    log.info("running: {} {}", arguments.get(0), String.join(" ", arguments.subList(1, arguments.size())));
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the job JAR (" + String.join(" ", launcher) + "): "
          + e.getMessage(), e);
    }
    running.add(process);
    StdoutTail stdout = new StdoutTail(process);
    stdout.start();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("{} ran longer than {}; stopping it", arguments.get(0), timeout);
        stop(process);
        return new Result(-1, stdout.json(), true);
      }
      stdout.join(5_000);
      return new Result(process.exitValue(), stdout.json(), stopped.remove(process));
    } catch (InterruptedException e) {
      stop(process);
      Thread.currentThread().interrupt();
      return new Result(-1, stdout.json(), true);
    } finally {
      running.remove(process);
    }
  }

  /**
   * Runs a unit of work that starts children and records their outcome: a graceful stop waits for the units, not
   * only for the children, so that a stopped child's outcome is still recorded.
   */
  public <T> T work(java.util.function.Supplier<T> unit) {
    units.incrementAndGet();
    try {
      return unit.get();
    } finally {
      units.decrementAndGet();
    }
  }

  /** Units of work under way. */
  public int inFlight() {
    return units.get();
  }

  /** The scheduler stops: units that only wait (for approvals) end now, leaving their records for a take-over. */
  public void beginStop() {
    stopping = true;
  }

  /**
   * Waits {@code duration} unless the scheduler stops first.
   *
   * @return false when it stops (or the thread was interrupted): the unit should end without starting more
   */
  public boolean pause(Duration duration) {
    Instant until = Instant.now().plus(duration);
    try {
      while (!stopping && Instant.now().isBefore(until)) {
        Thread.sleep(Math.min(100, Math.max(1, Duration.between(Instant.now(), until).toMillis())));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return !stopping;
  }

  /** Stops every running child: SIGTERM, then SIGKILL after 30 s. */
  public void stopAll() {
    stopped.addAll(running);
    running.forEach(JobCommand::stop);
  }

  private static void stop(Process process) {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Reads the child's stdout to its end, keeping the last non-blank line. */
  private static final class StdoutTail extends Thread {
    private final Process process;
    private volatile String last;

    StdoutTail(Process process) {
      super("job-stdout-" + process.pid());
      setDaemon(true);
      this.process = process;
    }

    @Override
    public void run() {
      try (BufferedReader reader = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = reader.readLine()) != null; ) {
          if (!line.isBlank()) {
            last = line;
          }
        }
      } catch (IOException e) {
        // the child went away; what was read is what there is
      }
    }

    JsonNode json() {
      String line = last;
      if (line == null || !line.startsWith("{")) {
        return null;
      }
      try {
        return JSON.readTree(line);
      } catch (IOException e) {
        return null;
      }
    }
  }
}
