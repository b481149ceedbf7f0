package org.rollbackjobs.jobs.features;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.iceberg.io.FileIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local folder of one attempt of one partition ({@code RUN/attempts/PARTITION/STEP_EXECUTION}), with a log
 * of the data files it creates. A partition runs again only when its previous attempt did not complete (killed
 * or failed), and then nothing was committed from it: its data files are deleted and its folder removed first,
 * so that a restarted job leaves no orphans behind.
 */
final class AttemptFiles {
  private static final Logger LOG = LoggerFactory.getLogger(AttemptFiles.class);
  private static final String LOG_NAME = "data-files.log";

  private final Path directory;
  private final BufferedWriter log;

  private AttemptFiles(Path directory, BufferedWriter log) {
    this.directory = directory;
    this.log = log;
  }

  static AttemptFiles begin(Path runDirectory, String partition, long stepExecutionId, FileIO io) {
    Path partitionDir = runDirectory.resolve("attempts").resolve(partition);
    Path directory = partitionDir.resolve(Long.toString(stepExecutionId));
    try {
      Files.createDirectories(partitionDir);
      try (Stream<Path> earlier = Files.list(partitionDir)) {
        for (Path attempt : earlier.filter(p -> !p.equals(directory)).toList()) {
          discard(attempt, io);
        }
      }
      Files.createDirectories(directory);
      BufferedWriter log = Files.newBufferedWriter(directory.resolve(LOG_NAME), StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      return new AttemptFiles(directory, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the work folder " + directory, e);
    }
  }

  Path directory() {
    return directory;
  }

  /** Logged before the file is created: a kill between the two leaves a path to a file that does not exist. */
  void record(String dataFile) {
    try {
      log.write(dataFile);
      log.newLine();
      log.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot log data file " + dataFile + " in " + directory, e);
    }
  }

  void close() {
    try {
      log.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void discard(Path attempt, FileIO io) throws IOException {
    Path files = attempt.resolve(LOG_NAME);
    if (Files.exists(files)) {
      List<String> paths = Files.readAllLines(files, StandardCharsets.UTF_8);
      for (String path : paths) {
        if (!path.isBlank()) {
          try {
            io.deleteFile(path);
          } catch (RuntimeException missing) {
            // logged but never created
          }
        }
      }
      LOG.info("Deleted {} data file(s) of the unfinished attempt {}", paths.size(), attempt);
    }
    deleteRecursively(attempt);
  }

  static void deleteRecursively(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + directory, e);
    }
  }
}
