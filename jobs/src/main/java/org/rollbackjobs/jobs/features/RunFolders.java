package org.rollbackjobs.jobs.features;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.explore.JobExplorer;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The work folders of recompute runs ({@code rollback.features.work-dir/RUN-ID}: spill runs and the attempt logs of
 * uncommitted data files), each with the newest job execution of its run. A run's commit removes its folder; a run
 * that died keeps it for its restart, which continues from the completed partitions and removes it at its commit.
 */
@Component
public class RunFolders {
  private static final Logger LOG = LoggerFactory.getLogger(RunFolders.class);

  private final FeatureRecomputeProperties properties;
  private final JdbcTemplate jdbc;
  private final JobExplorer explorer;
  private final String tablePrefix;

  public RunFolders(FeatureRecomputeProperties properties, JdbcTemplate jdbc, JobExplorer explorer,
      Environment environment) {
    this.properties = properties;
    this.jdbc = jdbc;
    this.explorer = explorer;
    // checked before any bean is made (ConfiguredIdentifiers): Spring Batch puts it into its SQL the same way
    this.tablePrefix = environment.getProperty("spring.batch.jdbc.table-prefix", "BATCH_");
  }

  /**
   * One run's folder.
   *
   * @param latest the newest job execution of the run; null when the job repository has none with its run id
   */
  public record RunFolder(Path path, String runId, long bytes, JobExecution latest) {
    /** Completed or abandoned: nothing will read the folder again (a commit that died before removing it). */
    public boolean finished() {
      return latest != null && (latest.getStatus() == BatchStatus.COMPLETED
          || latest.getStatus() == BatchStatus.ABANDONED);
    }
  }

  /** Every run folder in the work folder. */
  public List<RunFolder> list() {
    Path workDir = properties.workDir();
    if (!Files.isDirectory(workDir)) {
      return List.of();
    }
    List<RunFolder> folders = new ArrayList<>();
    try (Stream<Path> runs = Files.list(workDir)) {
      for (Path run : runs.filter(Files::isDirectory).sorted().toList()) {
        String runId = run.getFileName().toString();
        folders.add(new RunFolder(run, runId, bytes(run), latestExecution(runId)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the recompute work folder " + workDir, e);
    }
    return folders;
  }

  /**
   * Removes the folders of runs that completed or were abandoned (their data files are committed, or were
   * discarded with the run); the folders of runs that may still be restarted stay.
   */
  public List<Path> removeFinished() {
    List<Path> removed = new ArrayList<>();
    for (RunFolder folder : list()) {
      if (folder.finished()) {
        AttemptFiles.deleteRecursively(folder.path());
        LOG.info("Removed the work folder {} of recompute job execution {} ({}): nothing reads it again",
            folder.path(), folder.latest().getId(), folder.latest().getStatus());
        removed.add(folder.path());
      }
    }
    return removed;
  }

  private JobExecution latestExecution(String runId) {
    // a restart has the parameters of the execution it continues: the newest with the run id is the run's latest
    Long id = jdbc.queryForObject("SELECT max(p.JOB_EXECUTION_ID) FROM " + tablePrefix + "JOB_EXECUTION_PARAMS p"
        + " JOIN " + tablePrefix + "JOB_EXECUTION e ON e.JOB_EXECUTION_ID = p.JOB_EXECUTION_ID"
        + " JOIN " + tablePrefix + "JOB_INSTANCE i ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID"
        + " WHERE i.JOB_NAME = ? AND p.PARAMETER_NAME = ? AND p.PARAMETER_VALUE = ?", Long.class,
        RecomputeFeaturesJobConfiguration.JOB_NAME, RecomputeRequest.RUN_ID, runId);
    return id == null ? null : explorer.getJobExecution(id);
  }

  private static long bytes(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    } catch (IOException e) {
      return -1; // a file removed while walking: the size is only informative
    }
  }
}
