package org.rollbackjobs.jobs.cli;

import picocli.CommandLine.Option;

/** Options every command shares. */
public class OutputOptions {
  @Option(names = "--json", description = "Print exactly one JSON object on the last line of stdout (logs stay on stderr).")
  boolean json;

  public boolean json() {
    return json;
  }
}
