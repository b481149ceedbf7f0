package org.rollbackjobs.jobs.rollback;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.jobs.launch.Attempt;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.rollbackjobs.jobs.launch.JobRunner;
import org.rollbackjobs.jobs.manifest.Manifest;
import org.rollbackjobs.jobs.manifest.ManifestStore;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.rollbackjobs.jobs.verify.Finding;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobInstance;
import org.springframework.batch.core.explore.JobExplorer;
import org.springframework.stereotype.Service;

/**
 * {@code rollback}: the whole system back to a manifest. Plans (and stores the plan, so that it can be approved),
 * checks the guards (one rollback of a system at a time, readiness, approval), then runs the
 * {@code system-rollback} job under the system's lock, or continues the unfinished run of the same rollback.
 */
@Service
public class RollbackService {
  private final ManifestStore manifests;
  private final RollbackPlanner planner;
  private final RollbackPlans plans;
  private final ReadinessCheck readiness;
  private final ApprovalCheck approvals;
  private final SystemLock lock;
  private final JobRunner jobRunner;
  private final JobExplorer explorer;
  private final JobOutcomes outcomes;
  private final ComponentResults results;
  private final RollbackRecords records;

  public RollbackService(ManifestStore manifests, RollbackPlanner planner, RollbackPlans plans,
      ReadinessCheck readiness, ApprovalCheck approvals, SystemLock lock, JobRunner jobRunner, JobExplorer explorer,
      JobOutcomes outcomes, ComponentResults results, RollbackRecords records) {
    this.manifests = manifests;
    this.planner = planner;
    this.plans = plans;
    this.readiness = readiness;
    this.approvals = approvals;
    this.lock = lock;
    this.jobRunner = jobRunner;
    this.explorer = explorer;
    this.outcomes = outcomes;
    this.results = results;
    this.records = records;
  }

  public RollbackOutcome rollback(RollbackRequest request) {
    Attempt attempt = request.attempt();
    SystemDefinition system = request.system();
    Manifest manifest = outcomes.check(attempt, () -> manifestOf(system.name(), request.toManifest()));
    if (!request.dryRun()) {
      Optional<JobExecution> unfinished = unfinished(system.name(), manifest.id());
      if (unfinished.isPresent()) {
        return restart(unfinished.get().getId());
      }
    }
    RollbackPlan plan = planner.plan(system, manifest);
    plans.save(plan);
    List<Guard> guards = new ArrayList<>();
    String held = lock.checkFree(system.name());
    guards.add(held == null ? Guard.ok("lock", "no other rollback or drill of " + system.name() + " runs")
        : Guard.failed("lock", held));
    guards.addAll(readiness.check(system, manifest, request.overrideQuarantine()));
    ApprovalCheck.Status approval = approvals.check(plan, request.actor());
    guards.add(approval.guard());
    List<Guard> failed = guards.stream().filter(g -> !g.ok()).toList();
    if (request.dryRun()) {
      int code = plan.noop() || failed.isEmpty() ? ExitCodes.OK : ExitCodes.REFUSED;
      return new RollbackOutcome("planned", code, plan, approval, guards, results.of(null, plan), null, null, null,
          code == ExitCodes.OK ? null : refusal(failed));
    }
    if (plan.noop()) {
      outcomes.noop(attempt, Map.of("manifest-id", manifest.id(), "plan-id", plan.planId()));
      return new RollbackOutcome("noop", ExitCodes.OK, plan, approval, guards, results.of(null, plan), List.of(), 0L,
          null, null);
    }
    if (!failed.isEmpty()) {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("manifest-id", manifest.id());
      details.put("plan-id", plan.planId());
      details.put("level", plan.level());
      details.put("guards", failed);
      outcomes.refused(attempt, refusal(failed), details);
      return new RollbackOutcome("refused", ExitCodes.REFUSED, plan, approval, guards, results.of(null, plan), null,
          null, null, refusal(failed));
    }
    try (SystemLock.Held held2 = outcomes.check(attempt, () -> lock.acquire(system.name()))) {
      SystemRollbackParameters params = new SystemRollbackParameters(system.name(), String.valueOf(system.file()),
          manifest.id(), plan.planId(), request.reason(), request.actor(), request.overrideQuarantine());
      JobExecution execution = jobRunner.run(attempt, SystemRollbackJobConfiguration.JOB_NAME,
          params.toJobParameters());
      return finished(execution, plan, approval, guards);
    }
  }

  /**
   * Continues an unfinished rollback under its own plan and approvals: the components it completed are not run
   * again. A run whose process died is marked failed first; one that still runs is refused (exit 4).
   */
  public RollbackOutcome restart(long executionId) {
    JobExecution previous = jobRunner.execution(executionId);
    SystemRollbackParameters params = SystemRollbackParameters.of(previous.getJobParameters());
    RollbackPlan plan = plans.get(params.planId());
    Attempt attempt = new Attempt("rollback", params.system(), params.actor(), params.reason());
    try (SystemLock.Held held = outcomes.check(attempt, () -> lock.acquire(params.system()))) {
      JobExecution execution = jobRunner.restart(executionId);
      ApprovalCheck.Status approval = approvals.check(plan, params.actor());
      return finished(execution, plan, approval, List.of(Guard.ok("continuation", "continues job execution "
          + executionId + " under plan " + plan.planId() + " and its approvals")));
    }
  }

  private RollbackOutcome finished(JobExecution execution, RollbackPlan plan, ApprovalCheck.Status approval,
      List<Guard> guards) {
    List<Map<String, Object>> components = results.of(execution, plan);
    Long timeToRollback = records.find(execution.getJobInstance().getInstanceId())
        .map(RollbackRecords.Record::timeToRollbackMs).orElse(null);
    if (execution.getStatus() != BatchStatus.COMPLETED) {
      String message = String.valueOf(JobRunner.failureMessage(execution));
      int code = ExitCodes.of(JobRunner.failure(execution)) == ExitCodes.REFUSED ? ExitCodes.REFUSED : ExitCodes.FAILED;
      return new RollbackOutcome("failed", code, plan, approval, guards, components, null, timeToRollback,
          execution.getId(), "rollback of " + plan.system() + " failed: " + message + "; continue it with"
              + " 'restart --execution " + execution.getId() + "' or by running the same rollback again (completed"
              + " components are not redone)");
    }
    List<Finding> findings = RollbackTasklets.findings(execution);
    boolean clean = findings.isEmpty();
    return new RollbackOutcome(clean ? "completed" : "mixed", clean ? ExitCodes.OK : ExitCodes.MIXED_VERSION, plan,
        approval, guards, components, findings, timeToRollback, execution.getId(),
        clean ? null : "the rollback completed but verify still finds mixed-version state (" + findings.size()
            + " findings)");
  }

  /** The manifest a request names: an id of the system (not retired), or {@code previous}. */
  Manifest manifestOf(String system, String toManifest) {
    if (RollbackRequest.PREVIOUS.equals(toManifest)) {
      List<Manifest> live = manifests.list(system, 1000).stream().filter(m -> !m.retired()).toList();
      if (live.size() < 2) {
        throw new BadInputException("--to-manifest previous: system " + system + " has " + (live.isEmpty()
            ? "no manifest" : "only one manifest that is not retired (" + live.get(0).id() + ")")
            + "; name a manifest id (see 'manifest list --system " + system + "')");
      }
      return live.get(1);
    }
    long id;
    try {
      id = Long.parseLong(toManifest);
    } catch (NumberFormatException e) {
      throw new BadInputException("--to-manifest '" + toManifest + "' is neither a manifest id nor 'previous'");
    }
    Manifest manifest = manifests.get(system, id);
    if (manifest.retired()) {
      throw new BadInputException("manifest " + id + " of " + system + " is retired (" + manifest.retiredReason()
          + "); a rollback goes to a live manifest (see 'manifest list --system " + system + "')");
    }
    return manifest;
  }

  /** The latest run of a rollback of this system to this manifest, if it did not finish (failed, stopped, died). */
  private Optional<JobExecution> unfinished(String system, long manifestId) {
    for (JobInstance instance : explorer.getJobInstances(SystemRollbackJobConfiguration.JOB_NAME, 0, 50)) {
      JobExecution last = explorer.getLastJobExecution(instance);
      if (last == null || !system.equals(last.getJobParameters().getString(SystemRollbackParameters.SYSTEM))
          || !Long.valueOf(manifestId).equals(last.getJobParameters().getLong(SystemRollbackParameters.MANIFEST))) {
        continue;
      }
      if (JobRunner.restartable(last) || last.isRunning()) {
        return Optional.of(last);
      }
      return Optional.empty(); // the latest rollback to this manifest finished: a new one plans afresh
    }
    return Optional.empty();
  }

  private static String refusal(List<Guard> failed) {
    return "refused: " + String.join("; ", failed.stream().map(g -> g.name() + ": " + g.message()).toList());
  }
}
