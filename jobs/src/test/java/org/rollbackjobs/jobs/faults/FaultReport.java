package org.rollbackjobs.jobs.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The fault suite's report: one row per fault tried ({@code target/fault-report.md}, appended by every fault test
 * of a build), with what came of it: the end state equal to an uninterrupted run's, a refusal, or a clear failure
 * that a restart completed; and what was lost (must be nothing).
 */
public final class FaultReport {
  private static final Path FILE = Path.of("target", "fault-report.md");

  private FaultReport() {
  }

  /** One tried fault; {@code lost} is "none" or what went missing. */
  public static synchronized void row(String fault, String command, String outcome, String lost) {
    try {
      if (!Files.exists(FILE)) {
        Files.createDirectories(FILE.getParent());
        Files.writeString(FILE, "| fault | command | outcome | lost |\n| --- | --- | --- | --- |\n",
            StandardCharsets.UTF_8);
      }
      Files.writeString(FILE, "| " + fault + " | " + command + " | " + outcome + " | " + lost + " |\n",
          StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
