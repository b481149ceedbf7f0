package org.rollbackjobs.jobs.rollback;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rollbackjobs.jobs.store.StoredJson;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.stereotype.Component;

/**
 * What happened to each component of a rollback, over every execution of its job instance: a component completed
 * by an earlier execution (before a restart) counts as done.
 */
@Component
public class ComponentResults {
  private final JobRepository repository;

  public ComponentResults(JobRepository repository) {
    this.repository = repository;
  }

  /** One entry per component of the plan: its action, from, to, status, duration and its own report's counts. */
  public List<Map<String, Object>> of(JobExecution execution, RollbackPlan plan) {
    List<Map<String, Object>> results = new ArrayList<>();
    for (ComponentAction action : plan.components()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("component", action.component());
      entry.put("name", action.name());
      entry.put("action", action.action());
      entry.put("from", action.from());
      entry.put("to", action.to());
      if (!action.facts().isEmpty()) {
        entry.put("planned", action.facts()); // what the plan found: rows, documents, what can be reused
      }
      if (!action.moves()) {
        entry.put("status", "none");
        entry.put("duration-ms", 0);
      } else {
        StepExecution step = execution == null ? null : repository.getLastStepExecution(execution.getJobInstance(),
            SystemRollbackJobConfiguration.WORKER + ":" + action.key());
        if (step == null) {
          entry.put("status", "pending");
        } else if (step.getStatus() == BatchStatus.COMPLETED && step.getExecutionContext()
            .containsKey(ComponentTasklet.RESULT)) {
          entry.putAll(StoredJson.read(step.getExecutionContext().getString(ComponentTasklet.RESULT),
              new TypeReference<Map<String, Object>>() {}));
        } else {
          entry.put("status", step.getStatus().isUnsuccessful() ? "failed" : step.getStatus().name().toLowerCase());
          String description = step.getExitStatus().getExitDescription();
          if (description != null && !description.isBlank()) {
            entry.put("error", description.lines().findFirst().orElse(description));
          }
        }
      }
      results.add(entry);
    }
    return results;
  }
}
