package org.rollbackjobs.jobs.drill;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.jobs.launch.Attempt;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.rollbackjobs.jobs.launch.JobRunner;
import org.rollbackjobs.jobs.manifest.Manifest;
import org.rollbackjobs.jobs.manifest.ManifestStore;
import org.rollbackjobs.jobs.rollback.ComponentResults;
import org.rollbackjobs.jobs.rollback.Guard;
import org.rollbackjobs.jobs.rollback.ReadinessCheck;
import org.rollbackjobs.jobs.rollback.RollbackPlan;
import org.rollbackjobs.jobs.rollback.RollbackPlanner;
import org.rollbackjobs.jobs.rollback.RollbackRequest;
import org.rollbackjobs.jobs.rollback.RollbackService;
import org.rollbackjobs.jobs.rollback.SystemLock;
import org.rollbackjobs.jobs.system.Sandbox;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.rollbackjobs.jobs.verify.Finding;
import org.rollbackjobs.jobs.verify.SystemVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.StepExecution;
import org.springframework.stereotype.Service;

/**
 * {@code drill}: the system rollback pointed at a sandbox ({@link Sandbox}), under the system's lock like a
 * rollback. Fingerprints production, creates the sandbox from production's current state, injects a fault if
 * asked and checks that verify detects it, plans and runs the {@code system-rollback} job in the sandbox (the same
 * planner, component jobs and verify step as a rollback), fingerprints production again, and removes the sandbox
 * (also after a failure) unless kept. Every drill is recorded ({@link DrillRecords}).
 */
@Service
public class DrillService {
  private static final Logger LOG = LoggerFactory.getLogger(DrillService.class);
  /** The rollback job's top-level steps: the drill's phases between verify-before and fingerprint-after. */
  private static final List<String> JOB_PHASES = List.of("rollback-readiness", "rollback-datasets",
      "rollback-features-and-indexes", "rollback-models", "rollback-verify");

  private final ManifestStore manifests;
  private final RollbackService rollbacks;
  private final RollbackPlanner planner;
  private final ReadinessCheck readiness;
  private final SystemVerifier verifier;
  private final SystemLock lock;
  private final JobOutcomes outcomes;
  private final ComponentResults results;
  private final Sandboxes sandboxes;
  private final ProductionFingerprint fingerprint;
  private final FaultInjector faults;
  private final DrillRecords records;

  public DrillService(ManifestStore manifests, RollbackService rollbacks, RollbackPlanner planner,
      ReadinessCheck readiness, SystemVerifier verifier, SystemLock lock, JobOutcomes outcomes,
      ComponentResults results, Sandboxes sandboxes, ProductionFingerprint fingerprint, FaultInjector faults,
      DrillRecords records) {
    this.manifests = manifests;
    this.rollbacks = rollbacks;
    this.planner = planner;
    this.readiness = readiness;
    this.verifier = verifier;
    this.lock = lock;
    this.outcomes = outcomes;
    this.results = results;
    this.sandboxes = sandboxes;
    this.fingerprint = fingerprint;
    this.faults = faults;
    this.records = records;
  }

  public DrillOutcome drill(DrillRequest request) {
    SystemDefinition system = request.system();
    Attempt attempt = new Attempt("drill", system.name(), request.actor(), request.reason());
    Manifest manifest = outcomes.check(attempt, () -> manifestOf(system.name(), request.toManifest()));
    outcomes.check(attempt, () -> {
      sandboxes.checkBranchable(system);
      faults.checkApplicable(request.inject(), system);
    });
    String hypothesis = hypothesis(system.name(), manifest.id(), request.inject());
    if (request.dryRun()) {
      return planned(request, manifest, hypothesis);
    }
    Phases phases = new Phases();
    try (SystemLock.Held held = outcomes.check(attempt, () -> lock.acquire(system.name()))) {
      List<String> removed = phases.time("leftovers", () -> removeLeftovers(system));
      List<Guard> guards = phases.time("readiness", () -> readiness.check(system, manifest, false));
      List<Guard> failed = guards.stream().filter(g -> !g.ok()).toList();
      if (!failed.isEmpty()) {
        String refusal = "refused: " + String.join("; ", failed.stream().map(g -> g.name() + ": " + g.message())
            .toList());
        outcomes.refused(attempt, refusal, Map.of("manifest-id", manifest.id()));
        return new DrillOutcome("refused", "aborted", ExitCodes.REFUSED, null, system.name(), manifest.id(),
            request.inject(), hypothesis, null, null, phases.list(), null, null, null, null, guards, null, null,
            false, removed, null, refusal);
      }
      Sandbox sandbox = new Sandbox(UUID.randomUUID().toString().replace("-", "").substring(0, 12));
      records.start(sandbox.runId(), system.name(), manifest.id(), request.inject(), hypothesis, request.actor(),
          request.reason());
      LOG.info("drill {} of {} to manifest {} in sandbox {} / {}, inject {}", sandbox.runId(), system.name(),
          manifest.id(), sandbox.branch(), sandbox.schema(), request.inject());
      DrillOutcome outcome = run(attempt, request, system, manifest, sandbox, hypothesis, guards, phases, removed);
      records.finish(sandbox.runId(), outcome);
      return outcome;
    }
  }

  private DrillOutcome run(Attempt attempt, DrillRequest request, SystemDefinition system, Manifest manifest,
      Sandbox sandbox, String hypothesis, List<Guard> guards, Phases phases, List<String> removed) {
    SystemDefinition inSandbox = sandbox.apply(system);
    List<Finding> before = null;
    RollbackService.SandboxRun run = null;
    Boolean detected = null;
    List<Map<String, Object>> comparison = null;
    List<Map<String, Object>> components = null;
    String error = null;
    int failureCode = ExitCodes.FAILED;
    try {
      Map<String, String> productionBefore = phases.time("fingerprint-before", () -> fingerprint.take(system));
      phases.time("sandbox", () -> sandboxes.create(sandbox, system));
      if (request.inject() != Inject.NONE) {
        phases.time("inject", () -> faults.inject(request.inject(), sandbox, inSandbox, manifest, request.reason(),
            request.actor()));
      }
      before = phases.time("verify-before", () -> verifier.components(inSandbox, manifest.content(), sandbox));
      if (request.inject() != Inject.NONE) {
        List<Finding> found = before;
        detected = found.stream().anyMatch(f -> request.inject().detectedBy().contains(f.kind()));
      }
      RollbackPlan plan = phases.time("plan", () -> planner.plan(inSandbox, manifest, sandbox));
      components = results.of(null, plan);
      run = rollbacks.runInSandbox(attempt, system, plan, request.reason(), request.actor(), sandbox);
      components = run.components();
      jobPhases(run.execution()).forEach(phases::add);
      if (run.error() != null) {
        // the job's own message names only the step; a component that failed says why
        List<String> failures = run.components().stream().filter(c -> c.get("error") != null)
            .map(c -> c.get("component") + " " + c.get("name") + ": " + c.get("error")).toList();
        error = "the rollback in the sandbox failed: " + (failures.isEmpty() ? run.error()
            : String.join("; ", failures));
        failureCode = ExitCodes.of(JobRunner.failure(run.execution())) == ExitCodes.REFUSED ? ExitCodes.REFUSED
            : ExitCodes.FAILED;
      }
      Map<String, String> productionAfter = phases.time("fingerprint-after", () -> fingerprint.take(system));
      comparison = ProductionFingerprint.compare(productionBefore, productionAfter);
    } catch (RuntimeException e) {
      LOG.error("drill {} of {} failed: {}", sandbox.runId(), system.name(), ExitCodes.message(e), e);
      error = ExitCodes.message(e);
      failureCode = ExitCodes.of(e) == ExitCodes.BAD_INPUT ? ExitCodes.BAD_INPUT : ExitCodes.FAILED;
    } finally {
      if (!request.keep()) {
        phases.time("cleanup", () -> removed.addAll(sandboxes.remove(sandbox, system)));
      }
    }
    Boolean untouched = comparison == null ? null : ProductionFingerprint.untouched(comparison);
    List<Finding> after = run == null ? null : run.findingsAfter();
    int code;
    if (error != null) {
      code = failureCode;
    } else if (!untouched) {
      code = ExitCodes.FAILED;
      error = "production changed during the drill: " + String.join(", ", comparison.stream()
          .filter(p -> !Boolean.TRUE.equals(p.get("same"))).map(p -> (String) p.get("name")).toList());
    } else if (!after.isEmpty()) {
      code = ExitCodes.MIXED_VERSION;
      error = "the rollback in the sandbox left mixed-version state (" + after.size() + " findings)";
    } else if (Boolean.FALSE.equals(detected)) {
      code = ExitCodes.MIXED_VERSION;
      error = "verify did not detect the injected fault " + request.inject() + " (expected a finding of kind "
          + String.join(" or ", request.inject().detectedBy()) + ")";
    } else {
      code = ExitCodes.OK;
    }
    String verdict = code == ExitCodes.OK ? "passed" : "failed";
    Long timeToRollback = run == null || run.execution().getStartTime() == null
        || run.execution().getEndTime() == null ? null
        : Duration.between(run.execution().getStartTime(), run.execution().getEndTime()).toMillis();
    return new DrillOutcome(verdict, verdict, code, sandbox.runId(), system.name(), manifest.id(), request.inject(),
        hypothesis, detected, untouched, phases.list(), timeToRollback, before, after, comparison, guards,
        components, run == null ? null : run.execution().getId(), request.keep(), removed,
        request.keep() ? Sandboxes.removalHint(sandbox, system) : null, error);
  }

  /** A dry run: the plan against production as it is now, and the guards; nothing is created or recorded. */
  private DrillOutcome planned(DrillRequest request, Manifest manifest, String hypothesis) {
    SystemDefinition system = request.system();
    List<Guard> guards = new ArrayList<>();
    String held = lock.checkFree(system.name());
    guards.add(held == null ? Guard.ok("lock", "no other rollback or drill of " + system.name() + " runs")
        : Guard.failed("lock", held));
    guards.addAll(readiness.check(system, manifest, false));
    RollbackPlan plan = planner.plan(system, manifest);
    boolean ok = guards.stream().allMatch(Guard::ok);
    return new DrillOutcome("planned", null, ok ? ExitCodes.OK : ExitCodes.REFUSED, null, system.name(),
        manifest.id(), request.inject(), hypothesis, null, null, List.of(), null, plan.findings(), null, null,
        guards, results.of(null, plan), null, request.keep(), List.of(), null,
        ok ? null : "refused: " + String.join("; ", guards.stream().filter(g -> !g.ok())
            .map(g -> g.name() + ": " + g.message()).toList()));
  }

  /** Removes the sandboxes of earlier drills of the system that died or were kept; marks the dead ones aborted. */
  private List<String> removeLeftovers(SystemDefinition system) {
    Set<String> runs = new LinkedHashSet<>(records.running(system.name()));
    runs.addAll(records.kept(system.name()));
    sandboxes.leftovers(system).forEach(s -> runs.add(s.runId()));
    List<String> removed = new ArrayList<>();
    for (String run : runs) {
      Sandbox leftover = new Sandbox(run);
      removed.addAll(sandboxes.remove(leftover, system));
      records.aborted(run, "the drill's process ended before the drill did; its sandbox was removed by a later drill");
      records.sandboxRemoved(run);
    }
    if (!removed.isEmpty()) {
      LOG.info("drill of {}: removed leftovers of earlier drills: {}", system.name(), removed);
    }
    return removed;
  }

  /** The durations of the rollback job's top-level steps, in order (the steps that ran). */
  private static Map<String, Long> jobPhases(JobExecution execution) {
    Map<String, Long> phases = new LinkedHashMap<>();
    for (String name : JOB_PHASES) {
      for (StepExecution step : execution.getStepExecutions()) {
        if (step.getStepName().equals(name) && step.getStartTime() != null && step.getEndTime() != null) {
          phases.put(name, Duration.between(step.getStartTime(), step.getEndTime()).toMillis());
        }
      }
    }
    return phases;
  }

  /** The manifest a drill goes to: the one named, else the previous when the system has one, else the latest. */
  private Manifest manifestOf(String system, String toManifest) {
    if (toManifest != null) {
      return rollbacks.manifestOf(system, toManifest);
    }
    List<Manifest> live = manifests.list(system, 1000).stream().filter(m -> !m.retired()).toList();
    if (live.isEmpty()) {
      throw new BadInputException("system " + system + " has no manifest to drill a rollback to; capture one"
          + " with 'manifest capture --system " + system + "'");
    }
    return rollbacks.manifestOf(system, live.size() >= 2 ? RollbackRequest.PREVIOUS : Long.toString(live.get(0).id()));
  }

  static String hypothesis(String system, long manifestId, Inject inject) {
    return (inject == Inject.NONE ? "" : "verify detects a " + inject + " fault, and ") + "rolling " + system
        + " back to manifest " + manifestId + " leaves no mixed-version state, while production stays untouched";
  }
}
