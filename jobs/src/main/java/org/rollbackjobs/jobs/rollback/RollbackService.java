package org.rollbackjobs.jobs.rollback;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.jobs.launch.Attempt;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.rollbackjobs.jobs.launch.JobRunner;
import org.rollbackjobs.jobs.launch.RefusedException;
import org.rollbackjobs.jobs.manifest.Manifest;
import org.rollbackjobs.jobs.manifest.ManifestStore;
import org.rollbackjobs.jobs.notify.WebhookNotifier.Sending;
import org.rollbackjobs.jobs.system.Sandbox;
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
 * Webhooks hear of every run and refusal ({@link RollbackNotifier}); a notification never changes the outcome.
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
  private final RollbackNotifier notifier;

  public RollbackService(ManifestStore manifests, RollbackPlanner planner, RollbackPlans plans,
      ReadinessCheck readiness, ApprovalCheck approvals, SystemLock lock, JobRunner jobRunner, JobExplorer explorer,
      JobOutcomes outcomes, ComponentResults results, RollbackRecords records, RollbackNotifier notifier) {
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
    this.notifier = notifier;
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
    RollbackNotifier.Who who = new RollbackNotifier.Who(request.actor(), request.reason(), null);
    if (request.dryRun()) { // a dry run, like a noop, notifies nobody
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
          null, null, refusal(failed)).withNotifications(notifier.refused(plan, guards, refusal(failed), who));
    }
    RollbackOutcome outcome;
    Sending started;
    long start = System.nanoTime();
    try (SystemLock.Held held2 = lock(attempt, plan, guards, who)) {
      SystemRollbackParameters params = new SystemRollbackParameters(system.name(), String.valueOf(system.file()),
          manifest.id(), plan.planId(), request.reason(), request.actor(), request.overrideQuarantine(), null);
      started = notifier.started(plan, who);
      JobExecution execution = launched(() -> jobRunner.run(attempt, SystemRollbackJobConfiguration.JOB_NAME,
          params.toJobParameters()), started, plan, who, start);
      outcome = finished(execution, plan, approval, guards);
    }
    // after the lock is released: waiting for a slow webhook never blocks the next rollback of the system
    return outcome.withNotifications(notifier.finished(started, outcome, who, elapsedMs(start)));
  }

  /**
   * Runs the {@code system-rollback} job in a drill's sandbox under {@code plan}, made there
   * ({@link RollbackPlanner#plan(SystemDefinition, Manifest, Sandbox)}): the same steps and component jobs as a
   * rollback, but nothing of production moves, so no approvals, no notifications, and no record as a rollback of
   * the system. The caller holds the system's lock and has checked readiness.
   */
  public SandboxRun runInSandbox(Attempt attempt, SystemDefinition system, RollbackPlan plan, String reason,
      String actor, Sandbox sandbox) {
    plans.save(plan);
    SystemRollbackParameters params = new SystemRollbackParameters(system.name(), String.valueOf(system.file()),
        plan.manifestId(), plan.planId(), reason, actor, false, sandbox);
    JobExecution execution = jobRunner.run(attempt, SystemRollbackJobConfiguration.JOB_NAME, params.toJobParameters());
    boolean completed = execution.getStatus() == BatchStatus.COMPLETED;
    return new SandboxRun(execution, results.of(execution, plan), completed ? RollbackTasklets.findings(execution)
        : null, completed ? null : String.valueOf(JobRunner.failureMessage(execution)));
  }

  /**
   * A rollback run in a sandbox.
   *
   * @param findingsAfter what verify found at the end (null when the run failed before)
   * @param error why the run failed, or null
   */
  public record SandboxRun(JobExecution execution, List<Map<String, Object>> components, List<Finding> findingsAfter,
      String error) {}

  /**
   * Continues an unfinished rollback under its own plan and approvals: the components it completed are not run
   * again. A run whose process died is marked failed first; one that still runs is refused (exit 4).
   */
  public RollbackOutcome restart(long executionId) {
    JobExecution previous = jobRunner.execution(executionId);
    SystemRollbackParameters params = SystemRollbackParameters.of(previous.getJobParameters());
    RollbackPlan plan = plans.get(params.planId());
    Attempt attempt = new Attempt("rollback", params.system(), params.actor(), params.reason());
    RollbackNotifier.Who who = new RollbackNotifier.Who(params.actor(), params.reason(), executionId);
    List<Guard> guards = List.of(Guard.ok("continuation", "continues job execution " + executionId + " under plan "
        + plan.planId() + " and its approvals"));
    RollbackOutcome outcome;
    Sending started;
    long start = System.nanoTime();
    try (SystemLock.Held held = lock(attempt, plan, guards, who)) {
      started = notifier.started(plan, who);
      JobExecution execution = launched(() -> jobRunner.restart(executionId), started, plan, who, start);
      ApprovalCheck.Status approval = approvals.check(plan, params.actor());
      outcome = finished(execution, plan, approval, guards);
    }
    return outcome.withNotifications(notifier.finished(started, outcome, who, elapsedMs(start)));
  }

  /** The system's lock; a rollback that took it first is a refusal, notified like the guards' (and rethrown). */
  private SystemLock.Held lock(Attempt attempt, RollbackPlan plan, List<Guard> guards, RollbackNotifier.Who who) {
    try {
      return outcomes.check(attempt, () -> lock.acquire(plan.system()));
    } catch (RefusedException e) {
      List<Guard> refused = new ArrayList<>(guards.stream().filter(g -> !g.name().equals("lock")).toList());
      refused.add(Guard.failed("lock", e.getMessage()));
      notifier.refused(plan, refused, "refused: lock: " + e.getMessage(), who);
      throw e;
    }
  }

  /** Launches the job; a launch that fails before the job could run is notified as {@code failed} (and rethrown). */
  private JobExecution launched(Supplier<JobExecution> launch, Sending started, RollbackPlan plan,
      RollbackNotifier.Who who, long start) {
    try {
      return launch.get();
    } catch (RuntimeException e) {
      notifier.notLaunched(started, plan, who, elapsedMs(start), e);
      throw e;
    }
  }

  private static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
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
  public Manifest manifestOf(String system, String toManifest) {
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
      if (last == null || last.getJobParameters().getString(SystemRollbackParameters.DRILL_RUN) != null // a drill's
          || !system.equals(last.getJobParameters().getString(SystemRollbackParameters.SYSTEM))
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
