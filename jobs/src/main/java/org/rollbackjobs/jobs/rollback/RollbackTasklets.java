package org.rollbackjobs.jobs.rollback;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.rollbackjobs.jobs.launch.RefusedException;
import org.rollbackjobs.jobs.manifest.Manifest;
import org.rollbackjobs.jobs.manifest.ManifestStore;
import org.rollbackjobs.jobs.store.StoredJson;
import org.rollbackjobs.jobs.system.SystemCatalog;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.rollbackjobs.jobs.verify.Finding;
import org.rollbackjobs.jobs.verify.SystemVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;
import org.springframework.stereotype.Component;

/** The first and the last step of a system rollback: readiness before anything moves, verify after. */
@Component
class RollbackTasklets {
  static final String FINDINGS = "rollback.findings";
  private static final Logger LOG = LoggerFactory.getLogger(RollbackTasklets.class);

  private final RollbackPlans plans;
  private final SystemCatalog systems;
  private final ManifestStore manifests;
  private final ReadinessCheck readiness;
  private final SystemVerifier verifier;

  RollbackTasklets(RollbackPlans plans, SystemCatalog systems, ManifestStore manifests, ReadinessCheck readiness,
      SystemVerifier verifier) {
    this.plans = plans;
    this.systems = systems;
    this.manifests = manifests;
    this.readiness = readiness;
    this.verifier = verifier;
  }

  /** Checks again, at the start of every run of the job, that what the plan needs is still there. */
  Tasklet readiness() {
    return (contribution, chunk) -> {
      StepExecution step = chunk.getStepContext().getStepExecution();
      SystemRollbackParameters params = SystemRollbackParameters.of(step.getJobParameters());
      RollbackPlan plan = plans.get(params.planId());
      SystemDefinition system = systems.load(null, Path.of(params.systemFile()));
      Manifest manifest = manifests.get(system.name(), params.manifestId());
      LOG.info("rollback {} to manifest {}: plan {}, level {} ({}), {} of {} components move", system.name(),
          manifest.id(), plan.planId(), plan.level(), RollbackLevel.describe(plan.level()),
          plan.components().stream().filter(ComponentAction::moves).count(), plan.components().size());
      List<Guard> failed = readiness.check(system, manifest, params.overrideQuarantine()).stream()
          .filter(g -> !g.ok()).toList();
      if (!failed.isEmpty()) {
        throw new RefusedException("not ready: " + String.join("; ", failed.stream()
            .map(g -> g.name() + ": " + g.message()).toList()));
      }
      return RepeatStatus.FINISHED;
    };
  }

  /** Verifies the whole system against the manifest; the findings decide between completed and mixed. */
  Tasklet verify() {
    return (contribution, chunk) -> {
      StepExecution step = chunk.getStepContext().getStepExecution();
      SystemRollbackParameters params = SystemRollbackParameters.of(step.getJobParameters());
      SystemDefinition system = params.systemIn(systems.load(null, Path.of(params.systemFile())));
      Manifest manifest = manifests.get(system.name(), params.manifestId());
      // in a drill's sandbox the models are only checked (nothing retrained): the data components are verified
      List<Finding> findings = params.sandbox() == null ? verifier.verify(system, manifest)
          : verifier.components(system, manifest.content(), params.sandbox());
      var job = step.getJobExecution().getExecutionContext();
      job.putString(FINDINGS, StoredJson.write(findings));
      JobOutcomes.details(job, Map.of("plan-id", params.planId(), "manifest-id", manifest.id(),
          "level", plans.get(params.planId()).level(), "findings-after", findings.size()));
      LOG.info("rollback {}: verify against manifest {}: {}", system.name(), manifest.id(),
          findings.isEmpty() ? "clean" : findings.size() + " findings (mixed-version state)");
      return RepeatStatus.FINISHED;
    };
  }

  static List<Finding> findings(org.springframework.batch.core.JobExecution execution) {
    var context = execution.getExecutionContext();
    return context.containsKey(FINDINGS)
        ? List.of(StoredJson.read(context.getString(FINDINGS), Finding[].class)) : List.of();
  }
}
