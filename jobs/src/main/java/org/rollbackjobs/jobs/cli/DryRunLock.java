package org.rollbackjobs.jobs.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rollbackjobs.jobs.launch.ExitCodes;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The lock guard of a component command's dry run, reported as a rollback's dry run reports its guards: a
 * {@code guards} entry named {@code lock} in the JSON and a {@code Guards:} line in the text; when another run holds
 * the lock, {@code error} and exit 4, the code the real run would get at its start.
 */
final class DryRunLock {
  private DryRunLock() {}

  /**
   * Prints the dry run's result with its lock guard; returns its exit code.
   *
   * @param conflict the refusal the run would get (null: the lock is free)
   * @param free what the guard says when the lock is free
   */
  static int print(CommandSpec spec, OutputOptions output, Map<String, Object> json, String text, String conflict,
      String free) {
    Map<String, Object> guard = new LinkedHashMap<>();
    guard.put("name", "lock");
    guard.put("ok", conflict == null);
    guard.put("message", conflict == null ? free : conflict);
    json.put("guards", List.of(guard));
    String guards = String.format("Guards:%n  %-4s %-11s %s%n", conflict == null ? "ok" : "FAIL", "lock",
        guard.get("message"));
    int code = conflict == null ? ExitCodes.OK : ExitCodes.REFUSED;
    if (conflict != null) {
      json.put("exit-code", code);
      json.put("error", "refused: lock: " + conflict);
      spec.commandLine().getErr().println("error: refused: lock: " + conflict);
      spec.commandLine().getErr().flush();
    }
    Output.print(spec, output, json, (text.endsWith("\n") ? text : text + "\n") + guards);
    return code;
  }
}
