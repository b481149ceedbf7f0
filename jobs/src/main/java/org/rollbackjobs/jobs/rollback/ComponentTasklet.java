package org.rollbackjobs.jobs.rollback;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rollbackjobs.iceberg.restore.RestoreMode;
import org.rollbackjobs.iceberg.snapshot.SnapshotTarget;
import org.rollbackjobs.jobs.config.VectorProperties;
import org.rollbackjobs.jobs.features.RecomputeFeaturesJobConfiguration;
import org.rollbackjobs.jobs.features.RecomputeRequest;
import org.rollbackjobs.jobs.features.RecomputeService;
import org.rollbackjobs.jobs.index.RebuildIndexJobConfiguration;
import org.rollbackjobs.jobs.index.RebuildIndexRequest;
import org.rollbackjobs.jobs.index.RebuildIndexService;
import org.rollbackjobs.jobs.index.SwitchBackRequest;
import org.rollbackjobs.jobs.launch.JobRunner;
import org.rollbackjobs.jobs.manifest.Manifest;
import org.rollbackjobs.jobs.manifest.ManifestContent.FeaturePin;
import org.rollbackjobs.jobs.manifest.ManifestContent.IndexPin;
import org.rollbackjobs.jobs.manifest.ManifestStore;
import org.rollbackjobs.jobs.registry.MlflowRegistryClient;
import org.rollbackjobs.jobs.restore.RestoreRequest;
import org.rollbackjobs.jobs.restore.RestoreService;
import org.rollbackjobs.jobs.retrain.RetrainService;
import org.rollbackjobs.jobs.store.StoredJson;
import org.rollbackjobs.jobs.system.FeatureSpec;
import org.rollbackjobs.jobs.system.IndexSpec;
import org.rollbackjobs.jobs.system.RegistrySpec;
import org.rollbackjobs.jobs.system.SystemCatalog;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.rollbackjobs.vector.index.IndexName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;
import org.springframework.stereotype.Component;

/**
 * One component of a system rollback: the action its plan names, run by the component's own service, which
 * launches the component's own job (restore, recompute-features, rebuild-index or its switch-back,
 * trigger-retrain): the same validation, lineage, audit record and restartability as when run alone. A registry
 * alias (of a model or a prompt) is set back here through the registry's API, after reading it (a continuation
 * finds it set: noop). What it did goes to the partition's execution context ({@link #RESULT}).
 */
@Component
class ComponentTasklet implements Tasklet {
  static final String COMPONENT = "rollback.component";
  static final String RESULT = "rollback.component-result";
  private static final Logger LOG = LoggerFactory.getLogger(ComponentTasklet.class);
  /** How many of the newest component job instances a continuation looks through for an interrupted one. */
  private static final int RECENT = 50;

  private final RollbackPlans plans;
  private final SystemCatalog systems;
  private final ManifestStore manifests;
  private final RestoreService restores;
  private final RecomputeService recomputes;
  private final RebuildIndexService indexes;
  private final RetrainService retrains;
  private final VectorProperties vector;
  private final MlflowRegistryClient mlflow;
  private final JobRunner jobRunner;
  private final SandboxModelCheck sandboxModels;

  ComponentTasklet(RollbackPlans plans, SystemCatalog systems, ManifestStore manifests, RestoreService restores,
      RecomputeService recomputes, RebuildIndexService indexes, RetrainService retrains, VectorProperties vector,
      MlflowRegistryClient mlflow, JobRunner jobRunner, SandboxModelCheck sandboxModels) {
    this.plans = plans;
    this.sandboxModels = sandboxModels;
    this.jobRunner = jobRunner;
    this.mlflow = mlflow;
    this.systems = systems;
    this.manifests = manifests;
    this.restores = restores;
    this.recomputes = recomputes;
    this.indexes = indexes;
    this.retrains = retrains;
    this.vector = vector;
  }

  @Override
  public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
    StepExecution step = chunk.getStepContext().getStepExecution();
    SystemRollbackParameters params = SystemRollbackParameters.of(step.getJobParameters());
    RollbackPlan plan = plans.get(params.planId());
    ComponentAction action = plan.component(step.getExecutionContext().getString(COMPONENT));
    SystemDefinition system = params.systemIn(systems.load(null, Path.of(params.systemFile())));
    Manifest manifest = manifests.get(system.name(), params.manifestId());
    // the job instance makes the reason of each component job unique to this rollback: a continuation finds the
    // component job a kill interrupted by it (and restarts it) instead of starting that work again
    String reason = params.reason() + " (rollback " + plan.planId() + " to manifest " + manifest.id()
        + ", job instance " + step.getJobExecution().getJobInstance().getInstanceId() + ")";
    LOG.info("rollback {}: {} {} {}: {} -> {}", system.name(), action.action(), action.component(), action.name(),
        action.from(), action.to());
    long started = System.nanoTime();
    Map<String, Object> result = run(action, system, manifest, reason, params);
    result.put("duration-ms", (System.nanoTime() - started) / 1_000_000);
    step.getExecutionContext().putString(RESULT, StoredJson.write(result));
    LOG.info("rollback {}: {} {} {} {} in {} ms", system.name(), action.action(), action.component(), action.name(),
        result.get("status"), result.get("duration-ms"));
    return RepeatStatus.FINISHED;
  }

  private Map<String, Object> run(ComponentAction action, SystemDefinition system, Manifest manifest, String reason,
      SystemRollbackParameters params) {
    Map<String, Object> result = new LinkedHashMap<>();
    String branch = params.sandbox() == null ? null : params.sandbox().branch();
    if (params.sandbox() != null && (ComponentAction.RETRAIN.equals(action.action())
        || ComponentAction.SET_ALIAS.equals(action.action()))) {
      return sandboxModels.check(action, system); // a drill sends nothing to a model's trigger or registry
    }
    switch (action.action()) {
      case ComponentAction.RESTORE -> {
        var outcome = restores.restore(new RestoreRequest(action.name(),
            SnapshotTarget.id(Long.parseLong(action.to())), RestoreMode.COMMIT, reason, params.actor(), branch));
        result.put("status", outcome.outcome());
        result.put("job-execution-id", outcome.jobExecutionId());
        result.put("new-snapshot", outcome.result().newCurrentSnapshotId());
        result.put("rows-restored", outcome.result().plan().rowsToRestore());
        result.put("rows-discarded", outcome.result().plan().rowsToDiscard());
      }
      case ComponentAction.RECOMPUTE -> {
        FeatureSpec spec = system.feature(action.name());
        FeaturePin pin = manifest.content().feature(action.name()).orElseThrow();
        var interrupted = jobRunner.unfinished(RecomputeFeaturesJobConfiguration.JOB_NAME, spec.target(), reason,
            RECENT);
        var outcome = interrupted.isPresent() ? recomputes.restart(interrupted.get().getId())
            : recomputes.recompute(RecomputeRequest.of(spec.pipeline(), pin.pipelineVersion(), spec.source(),
            pin.sourceSnapshotId(), spec.target(), spec.pipelines() == null ? null : Path.of(spec.pipelines()), reason,
            params.actor()).onBranch(branch).onEngine(spec.engine()));
        result.put("status", outcome.status());
        result.put("job-execution-id", outcome.jobExecutionId());
        result.putAll(outcome.result());
      }
      case ComponentAction.SWITCH_BACK -> {
        IndexSpec spec = system.index(action.name());
        var outcome = indexes.switchBack(new SwitchBackRequest(spec.schema(), spec.name(), vector.coolDown(),
            params.overrideQuarantine(), reason, params.actor()));
        result.put("status", "completed");
        result.put("job-execution-id", outcome.jobExecutionId());
        result.put("serving-build-id", outcome.result().get("serving-build-id"));
      }
      case ComponentAction.REBUILD -> {
        IndexSpec spec = system.index(action.name());
        IndexPin pin = manifest.content().index(action.name()).orElseThrow();
        var interrupted = jobRunner.unfinished(RebuildIndexJobConfiguration.JOB_NAME,
            IndexName.of(spec.schema(), spec.name()).toString(), reason, RECENT);
        var outcome = interrupted.isPresent() ? indexes.restart(interrupted.get().getId())
            // forced: the plan rebuilds only when verify found the index off its pins, so a build equivalent to the
            // pins that serves was changed in place (vectors of another model, say) and is not a reason to skip
            : indexes.rebuild(RebuildIndexRequest.pinned(spec, pin.embeddingVersion(), pin.sourceSnapshotId(), vector,
            true, params.overrideQuarantine(), reason, params.actor()));
        result.put("status", outcome.status());
        result.put("job-execution-id", outcome.jobExecutionId());
        if (outcome.build() != null) {
          result.put("build-id", outcome.build().get("build-id"));
          result.put("documents", outcome.build().get("rows"));
          result.put("vectors-reused", outcome.build().get("vectors-reused"));
        }
      }
      case ComponentAction.RETRAIN -> {
        var outcome = retrains.trigger(system, action.name(), manifest.id(), reason, params.actor());
        if (outcome.error() != null) {
          throw new IllegalStateException(outcome.error());
        }
        result.put("status", outcome.status());
        result.put("job-execution-id", outcome.jobExecutionId());
        result.put("request-key", outcome.request().requestKey());
      }
      case ComponentAction.SET_ALIAS -> {
        RegistrySpec registry = ComponentAction.PROMPT.equals(action.component())
            ? system.prompt(action.name()).registry() : system.model(action.name()).registry();
        if (registry == null) {
          throw new IllegalStateException("the system file no longer declares a registry for " + action.component()
              + " " + action.name() + "; plan the rollback again");
        }
        String owner = action.component() + " " + action.name();
        String current = mlflow.aliasVersion(owner, registry.mlflow()).orElse(null);
        if (action.to().equals(current)) {
          result.put("status", "noop");
        } else {
          mlflow.setAlias(owner, registry.mlflow(), action.to());
          result.put("status", "completed");
        }
        result.put("registered-name", registry.mlflow().name());
        result.put("alias", registry.mlflow().alias());
        result.put("version", action.to());
        result.put("previous-version", current == null ? "unset" : current);
      }
      default -> result.put("status", "none");
    }
    return result;
  }
}
