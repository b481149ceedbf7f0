package org.rollbackjobs.jobs.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.rollbackjobs.iceberg.BadInputException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Finds system files: an explicit {@code --system-file}, or {@code NAME.yml} / {@code NAME.yaml} in the folder
 * {@code rollback.systems.dir} (default {@code systems} under the working directory).
 */
@Component
public class SystemCatalog {
  private final Path folder;

  public SystemCatalog(@Value("${rollback.systems.dir:systems}") Path folder) {
    this.folder = folder;
  }

  /** One of {@code name} and {@code file} is given; with both, the file must declare that name. */
  public SystemDefinition load(String name, Path file) {
    if (file == null && (name == null || name.isBlank())) {
      throw new BadInputException("give --system NAME (a file NAME.yml in " + folder.toAbsolutePath()
          + ", set by rollback.systems.dir) or --system-file PATH");
    }
    SystemDefinition system = SystemFiles.read(file != null ? file : fileOf(name));
    if (name != null && !name.equals(system.name())) {
      throw new BadInputException("system file " + system.file() + " declares system '" + system.name()
          + "', not '" + name + "'");
    }
    return system;
  }

  private Path fileOf(String name) {
    if (!SystemDefinition.NAME.matcher(name).matches()) {
      throw new BadInputException(BadInputException.shown(name) + " is not a system name (lower-case letters,"
          + " digits, '_', '-', '.'; at most 63 characters)");
    }
    for (String extension : List.of(".yml", ".yaml")) {
      Path candidate = folder.resolve(name + extension);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new BadInputException("no system '" + name + "' in " + folder.toAbsolutePath() + " (systems there: "
        + available() + "); set rollback.systems.dir or give --system-file PATH");
  }

  private String available() {
    if (!Files.isDirectory(folder)) {
      return "none, the folder does not exist";
    }
    try (Stream<Path> files = Files.list(folder)) {
      List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.matches(".*\\.ya?ml"))
          .map(n -> n.replaceFirst("\\.ya?ml$", "")).sorted().toList();
      return names.isEmpty() ? "none" : String.join(", ", names);
    } catch (IOException e) {
      return "unreadable: " + e.getMessage();
    }
  }
}
