package org.rollbackjobs.jobs.index;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.rollbackjobs.vector.index.IndexName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.explore.JobExplorer;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.stereotype.Component;

/**
 * Builds of an index that an earlier run left unfinished (building, loaded, validated: it died or failed, and was
 * not restarted). A rebuild that completes holds the index's lock, so no other run on the index is alive: it marks
 * them failed (its retire step then drops their tables) and their executions ABANDONED, Spring Batch's status for
 * an execution that will not be restarted (its build is gone).
 */
@Component
class UnfinishedBuilds {
  private static final Logger LOG = LoggerFactory.getLogger(UnfinishedBuilds.class);

  private final DataSource dataSource;
  private final JobExplorer explorer;
  private final JobRepository repository;

  UnfinishedBuilds(DataSource dataSource, JobExplorer explorer, JobRepository repository) {
    this.dataSource = dataSource;
    this.explorer = explorer;
    this.repository = repository;
  }

  /** Discards the index's unfinished builds of other job instances than {@code current}'s; returns their ids. */
  List<Long> discard(IndexName index, JobExecution current) {
    Set<Long> ours = explorer.getJobExecutions(current.getJobInstance()).stream().map(JobExecution::getId)
        .collect(Collectors.toSet());
    ours.add(current.getId());
    Map<Long, Long> discarded = new LinkedHashMap<>(); // build id -> its job execution (0: none)
    // a connection of its own, committing at once: the step's transaction would hide the change from the retirer
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      try (PreparedStatement s = c.prepareStatement("SELECT id, job_execution_id FROM rollback.index_builds"
          + " WHERE index_schema = ? AND index_name = ? AND status IN ('building', 'loaded', 'validated')")) {
        s.setString(1, index.schema());
        s.setString(2, index.name());
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            long execution = rs.getLong(2);
            if (!ours.contains(execution)) {
              discarded.put(rs.getLong(1), execution);
            }
          }
        }
      }
      for (var build : discarded.entrySet()) {
        try (PreparedStatement s = c.prepareStatement("UPDATE rollback.index_builds SET status = 'failed',"
            + " keep_until = now() WHERE id = ? AND status IN ('building', 'loaded', 'validated')")) {
          s.setLong(1, build.getKey());
          s.executeUpdate();
        }
        abandon(build.getValue(), current.getId());
        LOG.warn("rebuild-index {}: build {} of job execution {} was left unfinished; discarding it", index,
            build.getKey(), build.getValue());
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot discard the unfinished builds of " + index + ": " + e.getMessage(), e);
    }
    return List.copyOf(discarded.keySet());
  }

  private void abandon(long executionId, long by) {
    JobExecution first = executionId == 0 ? null : explorer.getJobExecution(executionId);
    if (first == null) {
      return;
    }
    JobExecution latest = explorer.getLastJobExecution(first.getJobInstance());
    if (latest == null || latest.getStatus() == BatchStatus.COMPLETED || latest.getStatus() == BatchStatus.ABANDONED) {
      return;
    }
    latest.setStatus(BatchStatus.ABANDONED);
    latest.setExitStatus(ExitStatus.FAILED.addExitDescription("abandoned: its unfinished build was discarded by job"
        + " execution " + by));
    if (latest.getEndTime() == null) {
      latest.setEndTime(LocalDateTime.now());
    }
    repository.update(latest);
  }
}
