package org.rollbackjobs.jobs.recovery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.jobs.features.RunFolders;
import org.rollbackjobs.jobs.launch.AdvisoryLocks;
import org.rollbackjobs.jobs.launch.JobLocks;
import org.rollbackjobs.jobs.launch.JobRunner;
import org.rollbackjobs.jobs.launch.LockClaim;
import org.rollbackjobs.jobs.manifest.Manifest;
import org.rollbackjobs.jobs.manifest.ManifestContent.TagPin;
import org.rollbackjobs.jobs.manifest.ManifestStore;
import org.rollbackjobs.jobs.manifest.OrphanTags;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.explore.JobExplorer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What a crash leaves behind, for {@code status --leftovers}, each with the command that removes it. Read-only.
 *
 * <ul>
 *   <li>Executions left running by a process that is gone (same host), or whose locks' PostgreSQL session ended
 *       (another host): {@code restart --execution ID} (on that host) marks them FAILED and continues them.
 *   <li>Index builds left unfinished (building, loaded, validated) while no run holds their index's lock: the
 *       restart of their execution finishes them; the next rebuild of the index retires them.
 *   <li>Tags {@code manifest-S-ID} with no manifest (a capture that died between tagging and storing), on the tables
 *       manifests pin, while no capture of S runs: the next {@code manifest capture} of system S removes them.
 *   <li>Work folders of recompute runs (spill runs, logs of uncommitted data files) whose run is not running: the
 *       restart of a dead run continues from them and removes them; those of completed or abandoned runs are
 *       removed by the next {@code recompute-features}; one no job execution knows is removed by hand.
 * </ul>
 */
@Component
public class Leftovers {
  /** How many manifests (newest first) name the tables searched for orphan tags. */
  private static final int MANIFESTS = 10_000;

  private final JobExplorer explorer;
  private final AdvisoryLocks locks;
  private final JdbcTemplate jdbc;
  private final ManifestStore manifests;
  private final ObjectProvider<Catalog> catalog;
  private final RunFolders runFolders;

  public Leftovers(JobExplorer explorer, AdvisoryLocks locks, JdbcTemplate jdbc, ManifestStore manifests,
      ObjectProvider<Catalog> catalog, RunFolders runFolders) {
    this.runFolders = runFolders;
    this.explorer = explorer;
    this.locks = locks;
    this.jdbc = jdbc;
    this.manifests = manifests;
    this.catalog = catalog;
  }

  /** Everything found, as the JSON of {@code status --leftovers}. */
  public Map<String, Object> find() {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("dead-executions", deadExecutions());
    all.put("unfinished-builds", unfinishedBuilds());
    all.put("orphan-tags", orphanTags());
    all.put("run-folders", runFolders());
    return all;
  }

  List<Map<String, Object>> deadExecutions() {
    List<Map<String, Object>> dead = new ArrayList<>();
    for (String job : explorer.getJobNames()) {
      for (JobExecution e : explorer.findRunningJobExecutions(job)) {
        deadBecause(e).ifPresent(why -> {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("job-execution-id", e.getId());
          row.put("job", job);
          row.put("status", e.getStatus().name());
          row.put("why", why);
          row.put("remedy", "restart --execution " + e.getId() + (JobRunner.processGone(e).isPresent() ? ""
              : " on host " + e.getJobParameters().getString(JobRunner.PROCESS_HOST)));
          dead.add(row);
        });
      }
    }
    return dead;
  }

  /** Why the execution cannot be running any more, if it cannot. */
  private Optional<String> deadBecause(JobExecution e) {
    String pid = e.getJobParameters().getString(JobRunner.PROCESS_PID);
    String host = e.getJobParameters().getString(JobRunner.PROCESS_HOST);
    if (JobRunner.processGone(e).orElse(false)) {
      return Optional.of("process " + pid + " on host " + host + " is gone");
    }
    String backend = e.getJobParameters().getString(JobLocks.LOCK_BACKEND);
    if (JobRunner.processGone(e).isEmpty() && backend != null && !locks.holdsAny(Integer.parseInt(backend))) {
      return Optional.of("the PostgreSQL session that held its locks (backend " + backend + ") ended; process " + pid
          + " on host " + host);
    }
    return Optional.empty();
  }

  List<Map<String, Object>> unfinishedBuilds() {
    List<Map<String, Object>> unfinished = new ArrayList<>();
    jdbc.query("SELECT id, index_schema, index_name, status, job_execution_id, created_at FROM rollback.index_builds"
        + " WHERE status IN ('building', 'loaded', 'validated') ORDER BY id", rs -> {
          String index = rs.getString("index_schema") + "." + rs.getString("index_name");
          if (locks.held(LockClaim.Kind.INDEX, index)) {
            return; // a run on the index is under way: its build is not a leftover
          }
          long execution = rs.getLong("job_execution_id");
          boolean noExecution = rs.wasNull();
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("build-id", rs.getLong("id"));
          row.put("index", index);
          row.put("status", rs.getString("status"));
          row.put("job-execution-id", noExecution ? null : execution);
          row.put("created-at", rs.getTimestamp("created_at").toInstant().toString());
          row.put("remedy", !noExecution && restartable(execution) ? "restart --execution " + execution
              : "the next rebuild-index of " + index + " retires it");
          unfinished.add(row);
        });
    return unfinished;
  }

  private boolean restartable(long executionId) {
    JobExecution e = explorer.getJobExecution(executionId);
    if (e == null) {
      return false;
    }
    JobExecution latest = Optional.ofNullable(explorer.getLastJobExecution(e.getJobInstance())).orElse(e);
    return JobRunner.restartable(latest) || deadBecause(latest).isPresent();
  }

  List<Map<String, Object>> orphanTags() {
    Set<String> tables = new LinkedHashSet<>();
    for (Manifest m : manifests.list(null, MANIFESTS)) {
      m.content().tags().stream().map(TagPin::table).forEach(tables::add);
    }
    List<Map<String, Object>> orphans = new ArrayList<>();
    Catalog c = catalog.getObject();
    for (String name : tables) {
      if (!c.tableExists(TableName.parse(name))) {
        continue;
      }
      for (OrphanTags.Orphan o : OrphanTags.of(name, CatalogLoader.loadTable(c, name), null, manifests)) {
        if (locks.held(LockClaim.Kind.MANIFESTS, o.system())) {
          continue; // a capture of the system is under way: its tag's manifest is about to be stored
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("table", o.table());
        row.put("tag", o.tag());
        row.put("system", o.system());
        row.put("manifest-id", o.manifestId());
        row.put("remedy", "the next 'manifest capture' of system " + o.system() + " removes it");
        orphans.add(row);
      }
    }
    return orphans;
  }

  List<Map<String, Object>> runFolders() {
    List<Map<String, Object>> left = new ArrayList<>();
    for (RunFolders.RunFolder folder : runFolders.list()) {
      JobExecution latest = folder.latest();
      if (latest != null && latest.isRunning() && deadBecause(latest).isEmpty()) {
        continue; // its run is under way
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("folder", folder.path().toString());
      row.put("run-id", folder.runId());
      row.put("bytes", folder.bytes());
      row.put("job-execution-id", latest == null ? null : latest.getId());
      row.put("status", latest == null ? null : latest.getStatus().name());
      if (latest == null) {
        row.put("remedy", "no job execution has this run id: remove the folder by hand (rm -r " + folder.path() + ")");
      } else if (folder.finished()) {
        row.put("remedy", "the next recompute-features removes it");
      } else {
        row.put("remedy", "restart --execution " + latest.getId() + " continues from it and removes it");
      }
      left.add(row);
    }
    return left;
  }
}
