package org.rollbackjobs.jobs.cli;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.rollbackjobs.jobs.launch.JobRunner;
import org.rollbackjobs.jobs.recovery.Leftovers;
import org.rollbackjobs.jobs.retrain.RetrainReport;
import org.rollbackjobs.jobs.retrain.RetrainStore;
import org.rollbackjobs.jobs.retrain.RetrainStore.StoredRequest;
import org.rollbackjobs.vector.embedding.EmbeddingCache;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobInstance;
import org.springframework.batch.core.explore.JobExplorer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Shows job executions from the job repository, latest first, or one execution. Read-only.",
        "With --retrain: retrain requests (trigger-retrain) and the delivery status of each of their channels.",
        "With --leftovers: what crashed runs left behind and how each is removed: executions left running by a"
            + " process that is gone ('restart --execution ID'), unfinished index builds (restart their execution,"
            + " or the next rebuild of the index retires them), manifest tags without a manifest (the next"
            + " 'manifest capture' of the system removes them), work folders of recompute runs (restart the run;"
            + " those of completed runs go with the next recompute)."})
class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Option(names = "--execution", paramLabel = "ID", description = "Show this job execution only.")
  Long executionId;

  @Option(names = "--limit", defaultValue = "20", paramLabel = "N", description = "At most N executions or retrain requests (default 20).")
  int limit;

  @Option(names = "--retrain",
      description = "Show retrain requests and their deliveries (outbox, webhook, airflow) instead of executions.")
  boolean retrain;

  @Option(names = "--system", paramLabel = "NAME", description = "With --retrain: requests of this system only.")
  String system;

  @Option(names = "--model", paramLabel = "NAME", description = "With --retrain: requests of this model only.")
  String model;

  @Option(names = "--leftovers",
      description = "Instead of executions: what crashed runs left behind, each with the command that removes it"
          + " (executions of processes that are gone, unfinished index builds, manifest tags without a manifest,"
          + " recompute work folders).")
  boolean leftovers;

  // each mode makes only what it reads (a start that made all of them took about 0.1 s longer)
  @Autowired ObjectProvider<RetrainStore> retrainStore;
  @Autowired ObjectProvider<Leftovers> leftoversFinder;
  @Autowired DataSource dataSource;
  @Autowired ObjectProvider<JobExplorer> explorer;
  @Autowired ObjectProvider<JobRunner> jobRunner;

  @Override
  public Integer call() {
    if (retrain && leftovers) {
      throw new ParameterException(spec.commandLine(), "give one of --retrain and --leftovers");
    }
    if (retrain) {
      List<StoredRequest> requests = retrainStore.getObject().recent(system, model, limit);
      Map<String, Object> json = Output.result("status", "completed", ExitCodes.OK);
      json.put("retrain-requests", RetrainReport.statusJson(requests));
      Output.print(spec, output, json, RetrainReport.statusText(requests));
      return ExitCodes.OK;
    }
    if (system != null || model != null) {
      throw new ParameterException(spec.commandLine(), "--system and --model filter retrain requests: give --retrain");
    }
    if (leftovers) {
      Map<String, Object> found = leftoversFinder.getObject().find();
      Map<String, Object> json = Output.result("status", "completed", ExitCodes.OK);
      json.put("leftovers", found);
      Output.print(spec, output, json, leftoversText(found));
      return ExitCodes.OK;
    }
    List<JobExecution> executions = new ArrayList<>();
    if (executionId != null) {
      executions.add(jobRunner.getObject().execution(executionId));
    } else {
      JobExplorer jobs = explorer.getObject();
      for (String name : jobs.getJobNames()) {
        for (JobInstance instance : jobs.getJobInstances(name, 0, limit)) {
          executions.addAll(jobs.getJobExecutions(instance));
        }
      }
      executions.sort(Comparator.comparing(JobExecution::getId).reversed());
      executions = executions.subList(0, Math.min(limit, executions.size()));
    }
    List<Map<String, Object>> rows = executions.stream().map(StatusCommand::row).toList();
    Map<String, Object> json = Output.result("status", "completed", ExitCodes.OK);
    json.put("executions", rows);
    List<EmbeddingCache.VersionStats> cache = cacheStats();
    json.put("embedding-cache", cache.stream().map(v -> Map.of("embedding-version", v.version(), "vectors",
        v.vectors(), "bytes", v.bytes())).toList());
    StringBuilder text = new StringBuilder();
    if (rows.isEmpty()) {
      text.append("No job executions yet.\n");
    }
    for (Map<String, Object> r : rows) {
      text.append(String.format("%-6s %-10s %-10s %-26s %-26s %s%n", r.get("job-execution-id"), r.get("job"),
          r.get("status"), r.get("start-time"), r.get("end-time"), r.get("parameters")));
      if (r.get("failure") != null) {
        text.append("       failure: ").append(r.get("failure")).append('\n');
      }
    }
    text.append("Embedding cache: ").append(cache.isEmpty() ? "empty" : "").append(String.join(", ", cache.stream()
        .map(v -> String.format("%s %,d vectors (%.1f MB)", v.version(), v.vectors(), v.bytes() / 1e6)).toList()))
        .append('\n');
    Output.print(spec, output, json, text.toString());
    return ExitCodes.OK;
  }

  @SuppressWarnings("unchecked")
  private static String leftoversText(Map<String, Object> found) {
    StringBuilder text = new StringBuilder("Leftovers of crashed runs:\n");
    found.forEach((kind, rows) -> {
      List<Map<String, Object>> list = (List<Map<String, Object>>) rows;
      text.append("  ").append(kind).append(list.isEmpty() ? ": none\n" : ":\n");
      for (Map<String, Object> row : list) {
        Map<String, Object> facts = new LinkedHashMap<>(row);
        Object remedy = facts.remove("remedy");
        text.append("    ").append(facts).append("\n      remove: ").append(remedy).append('\n');
      }
    });
    return text.toString();
  }

  /** Vectors in the embedding cache by version (a rebuild takes them instead of embedding again). */
  private List<EmbeddingCache.VersionStats> cacheStats() {
    try (Connection c = dataSource.getConnection()) {
      return EmbeddingCache.stats(c);
    } catch (SQLException e) {
      throw new IllegalStateException("reading the embedding cache failed: " + e.getMessage(), e);
    }
  }

  private static Map<String, Object> row(JobExecution e) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("job-execution-id", e.getId());
    row.put("job", e.getJobInstance().getJobName());
    row.put("status", e.getStatus().name());
    row.put("exit-status", e.getExitStatus().getExitCode());
    row.put("start-time", utc(e.getStartTime()));
    row.put("end-time", utc(e.getEndTime()));
    Map<String, Object> params = new LinkedHashMap<>();
    e.getJobParameters().getParameters().forEach((k, v) -> params.put(k, v.getValue()));
    row.put("parameters", params);
    row.put("restartable", JobRunner.restartable(e));
    row.put("failure", JobRunner.failureMessage(e));
    return row;
  }

  private static String utc(LocalDateTime time) {
    return time == null ? null : time.atZone(ZoneId.systemDefault()).toInstant().toString();
  }
}
