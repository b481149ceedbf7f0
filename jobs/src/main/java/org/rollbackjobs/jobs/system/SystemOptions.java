package org.rollbackjobs.jobs.system;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --system NAME} / {@code --system-file PATH}, shared by the commands that work on a whole system. */
public class SystemOptions {
  @Option(names = "--system", paramLabel = "NAME",
      description = "The system, read from NAME.yml in rollback.systems.dir (default ./systems).")
  public String system;

  @Option(names = "--system-file", paramLabel = "PATH", description = "The system's YAML file (instead of a name).")
  public Path systemFile;

  public boolean given() {
    return system != null || systemFile != null;
  }

  public SystemDefinition load(SystemCatalog catalog) {
    return catalog.load(system, systemFile);
  }
}
