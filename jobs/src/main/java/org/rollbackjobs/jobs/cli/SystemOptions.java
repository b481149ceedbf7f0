package org.rollbackjobs.jobs.cli;

import java.nio.file.Path;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.jobs.system.SystemCatalog;
import org.rollbackjobs.jobs.system.SystemDefinition;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --system NAME} / {@code --system-file PATH}, shared by the commands that work on a whole system. */
class SystemOptions implements Validated {
  @Spec(Spec.Target.MIXEE) CommandSpec spec;

  @Option(names = "--system", paramLabel = "NAME",
      description = "The system, read from NAME.yml in rollback.systems.dir (default ./systems).")
  String system;

  @Option(names = "--system-file", paramLabel = "PATH", description = "The system's YAML file (instead of a name).")
  Path systemFile;

  @Override
  public void validate() {
    if (system != null && systemFile != null) {
      throw new ParameterException(spec.commandLine(), "give --system NAME or --system-file PATH, not both");
    }
    if (system != null && !SystemDefinition.NAME.matcher(system).matches()) {
      throw new ParameterException(spec.commandLine(), "--system " + BadInputException.shown(system)
          + " is not a system name (lower-case letters, digits, '_', '-', '.'; at most 63 characters)");
    }
  }

  boolean given() {
    return system != null || systemFile != null;
  }

  /** For commands that need a system: one of the two options. */
  void require() {
    if (!given()) {
      throw new ParameterException(spec.commandLine(), "give --system NAME or --system-file PATH");
    }
  }

  SystemDefinition load(SystemCatalog catalog) {
    return catalog.load(system, systemFile);
  }
}
