package org.rollbackjobs.jobs.retrain;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
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
import org.rollbackjobs.jobs.manifest.ManifestContent.ModelPin;
import org.rollbackjobs.jobs.manifest.ManifestStore;
import org.rollbackjobs.jobs.retrain.RetrainService.RetrainOutcome;
import org.rollbackjobs.jobs.retrain.RetrainService.RetrainPlan;
import org.rollbackjobs.jobs.retrain.RetrainStore.StoredRequest;
import org.rollbackjobs.jobs.system.ModelSpec;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.springframework.batch.core.JobExecution;
import org.springframework.stereotype.Service;

/**
 * {@code trigger-retrain}: checks everything before anything is written (system, model, manifest, the model's
 * pin in it, credentials of the channels), computes the request key, then runs the {@code trigger-retrain} job
 * and audits the outcome.
 */
@Service
public class RetrainService {
  private final ManifestStore manifests;
  private final RetrainStore store;
  private final RetrainDelivery delivery;
  private final JobRunner jobRunner;
  private final JobOutcomes outcomes;

  public RetrainService(ManifestStore manifests, RetrainStore store, RetrainDelivery delivery, JobRunner jobRunner,
      JobOutcomes outcomes) {
    this.manifests = manifests;
    this.store = store;
    this.delivery = delivery;
    this.jobRunner = jobRunner;
    this.outcomes = outcomes;
  }

  /**
   * A trigger checked and keyed, nothing written yet.
   *
   * @param request the request this trigger stores, or the stored one's content when its key exists
   * @param existing the stored request with this key, with the status of its channels
   */
  public record RetrainPlan(SystemDefinition system, ModelSpec model, Manifest manifest, List<RetrainChannel> channels,
      RetrainRequest request, Optional<StoredRequest> existing) {}

  /**
   * What a trigger did.
   *
   * @param status {@code completed} (stored and/or delivered now), {@code noop} (stored and delivered before),
   *     {@code failed} (a channel did not deliver: exit 1)
   * @param created whether this run stored the request
   * @param attempted the channels this run attempted
   */
  public record RetrainOutcome(String status, int exitCode, boolean created, List<String> attempted,
      StoredRequest request, long jobExecutionId, String error) {}

  /** The model's pin in the manifest, or bad input when the manifest does not pin the model. */
  public static ModelPin pinOf(Manifest manifest, String model) {
    return manifest.content().model(model).orElseThrow(() -> new BadInputException("manifest " + manifest.id()
        + " of " + manifest.system() + " does not pin model " + model + " (it pins: "
        + (manifest.content().models().isEmpty() ? "no model"
            : String.join(", ", manifest.content().models().stream().map(ModelPin::name).toList()))
        + "); capture a manifest that includes it with 'manifest capture --system " + manifest.system()
        + " --reason TEXT'"));
  }

  /** Checks and keys the trigger; writes nothing. */
  public RetrainPlan plan(SystemDefinition system, String modelName, Long manifestId, String reason, String actor) {
    ModelSpec model = system.model(modelName);
    if (system.file() == null) {
      throw new IllegalStateException("system " + system.name() + " was not read from a file");
    }
    Manifest manifest = manifests.pinned(system.name(), manifestId);
    ModelPin pin = pinOf(manifest, model.name());
    List<RetrainChannel> channels = RetrainChannel.of(model);
    channels.forEach(channel -> delivery.checkCredentials(model.name(), channel));

    String plainKey = RetrainRequest.key(system.name(), model.name(), manifest.id(), pin.trainsOn(), null);
    Optional<StoredRequest> latest = store.latest(system.name(), model.name());
    String supersedes = null;
    String key = plainKey;
    if (latest.isPresent()) {
      StoredRequest last = latest.get();
      if (last.manifestId() == manifest.id()
          && RetrainRequest.pins(last.trainsOn()).equals(RetrainRequest.pins(pin.trainsOn()))) {
        // the same trigger again: the latest request is this one
        key = last.requestKey();
        supersedes = last.supersedes();
      } else if (store.byKey(plainKey).isPresent()) {
        // these pins were requested before, then other ones: request them again, under a new key
        supersedes = last.requestKey();
        key = RetrainRequest.key(system.name(), model.name(), manifest.id(), pin.trainsOn(), supersedes);
      }
    }
    Optional<StoredRequest> existing = store.byKey(key);
    RetrainRequest request = RetrainRequest.of(manifest, pin, key, supersedes,
        existing.map(StoredRequest::reason).orElse(reason), existing.map(StoredRequest::actor).orElse(actor),
        existing.map(StoredRequest::requestedAt).orElse(Instant.now().truncatedTo(ChronoUnit.MILLIS)));
    return new RetrainPlan(system, model, manifest, channels, request, existing);
  }

  /** Stores and delivers the request (or retries its undelivered channels); audited, also when rejected. */
  public RetrainOutcome trigger(SystemDefinition system, String modelName, Long manifestId, String reason,
      String actor) {
    Attempt attempt = new Attempt(RetrainJobConfiguration.JOB_NAME, subject(system.name(), modelName), actor, reason);
    RetrainPlan plan = outcomes.check(attempt, () -> plan(system, modelName, manifestId, reason, actor));
    RetrainRequest request = plan.request();
    RetrainJobParameters params = new RetrainJobParameters(system.name(), system.file(), modelName,
        plan.manifest().id(), request.requestKey(), request.supersedes(), reason, actor,
        request.requestedAt());
    return outcomeOf(params, jobRunner.run(attempt, RetrainJobConfiguration.JOB_NAME, params.toJobParameters()));
  }

  /** Restarts a failed trigger-retrain execution: the same key, the undelivered channels again. */
  public RetrainOutcome restart(long executionId) {
    JobExecution execution = jobRunner.restart(executionId);
    return outcomeOf(RetrainJobParameters.from(execution.getJobParameters()), execution);
  }

  private RetrainOutcome outcomeOf(RetrainJobParameters params, JobExecution execution) {
    long executionId = execution.getId();
    var context = execution.getExecutionContext();
    boolean created = Boolean.parseBoolean(context.containsKey(RetrainTasklet.CREATED)
        ? context.getString(RetrainTasklet.CREATED) : "false");
    List<String> attempted = !context.containsKey(RetrainTasklet.ATTEMPTED)
        || context.getString(RetrainTasklet.ATTEMPTED).isEmpty() ? List.of()
        : Arrays.asList(context.getString(RetrainTasklet.ATTEMPTED).split(","));
    Optional<StoredRequest> stored = store.byKey(params.requestKey());
    Throwable failure = JobRunner.failure(execution);
    if (failure instanceof RetrainDeliveryException && stored.isPresent()) {
      // failed deliveries: record kept, the result is printed with the status of every channel (exit 1)
      return new RetrainOutcome("failed", ExitCodes.FAILED, created, attempted, stored.get(), executionId,
          failure.getMessage() + " (or 'restart --execution " + executionId + "')");
    }
    outcomes.completed(execution, (f, id) -> "restart it with 'restart --execution " + id
        + "' or run the same trigger again");
    String status = created || !attempted.isEmpty() ? "completed" : "noop";
    return new RetrainOutcome(status, ExitCodes.OK, created, attempted, stored.orElseThrow(), executionId, null);
  }

  /** What the audit log records of a stored request. */
  static Map<String, Object> details(StoredRequest request, boolean created) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("request-key", request.requestKey());
    details.put("manifest-id", request.manifestId());
    details.put("created", created);
    Map<String, Object> deliveries = new LinkedHashMap<>();
    request.deliveries().forEach(d -> deliveries.put(d.channel(), d.status()));
    details.put("deliveries", deliveries);
    return details;
  }

  /** The audit subject of a model: {@code system/model}. */
  public static String subject(String system, String model) {
    return system + "/" + model;
  }
}
