package org.rollbackjobs.jobs.retrain;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.rollbackjobs.jobs.manifest.Manifest;
import org.rollbackjobs.jobs.manifest.ManifestContent.ModelPin;
import org.rollbackjobs.jobs.manifest.ManifestStore;
import org.rollbackjobs.jobs.retrain.RetrainDelivery.Attempt;
import org.rollbackjobs.jobs.retrain.RetrainStore.Delivery;
import org.rollbackjobs.jobs.retrain.RetrainStore.StoredRequest;
import org.rollbackjobs.jobs.system.ModelSpec;
import org.rollbackjobs.jobs.system.SystemCatalog;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.item.ExecutionContext;
import org.springframework.batch.repeat.RepeatStatus;
import org.springframework.stereotype.Component;

/**
 * Stores the retrain request (with its outbox row) unless its key is stored already, then delivers it to every
 * configured channel that has not delivered it yet. Runs of the same key are serialised by a PostgreSQL advisory
 * lock, so that two concurrent triggers deliver once.
 */
@Component
class RetrainTasklet implements Tasklet {
  static final String CREATED = "retrain.created";
  static final String ATTEMPTED = "retrain.attempted";
  private static final Logger LOG = LoggerFactory.getLogger(RetrainTasklet.class);

  private final SystemCatalog systems;
  private final ManifestStore manifests;
  private final RetrainStore store;
  private final RetrainDelivery delivery;
  private final DataSource dataSource;

  RetrainTasklet(SystemCatalog systems, ManifestStore manifests, RetrainStore store, RetrainDelivery delivery,
      DataSource dataSource) {
    this.systems = systems;
    this.manifests = manifests;
    this.store = store;
    this.delivery = delivery;
    this.dataSource = dataSource;
  }

  @Override
  public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
    var stepExecution = chunkContext.getStepContext().getStepExecution();
    RetrainJobParameters params = RetrainJobParameters.from(stepExecution.getJobParameters());
    SystemDefinition system = systems.load(params.system(), params.systemFile());
    ModelSpec model = system.model(params.model());
    Manifest manifest = manifests.get(system.name(), params.manifestId());
    ModelPin pin = RetrainService.pinOf(manifest, model.name());
    RetrainRequest request = RetrainRequest.of(manifest, pin, params.requestKey(), params.supersedes(),
        params.reason(), params.actor(), params.requestedAt());
    List<RetrainChannel> channels = RetrainChannel.of(model);
    channels.forEach(channel -> delivery.checkCredentials(model.name(), channel));

    boolean created;
    List<String> attempted = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    try (Connection lock = dataSource.getConnection()) {
      advisoryLock(lock, request.requestKey(), true);
      try {
        created = store.insertIfAbsent(request, stepExecution.getJobExecutionId());
        StoredRequest stored = store.byKey(request.requestKey()).orElseThrow();
        LOG.info("Retrain request {} for model {} of {} (manifest {}): {}", RetrainDelivery.shortKey(stored.requestKey()),
            model.name(), system.name(), manifest.id(), created ? "stored with its outbox row" : "stored before");
        channels.forEach(channel -> store.ensureDelivery(stored.id(), channel.name(), channel.target()));
        Map<String, RetrainChannel> configured = RetrainStore.byChannel(channels, RetrainChannel::name);
        for (Delivery d : store.deliveries(stored.id())) {
          if (d.delivered()) {
            continue;
          }
          RetrainChannel channel = configured.get(d.channel());
          if (channel == null) {
            LOG.warn("Retrain request {}: channel {} is {} but no longer configured for model {}; not retried",
                RetrainDelivery.shortKey(stored.requestKey()), d.channel(), d.status(), model.name());
            continue;
          }
          attempted.add(channel.name());
          Attempt last = delivery.deliver(channel, stored.requestKey(), stored.payload(), attempt ->
              store.recordAttempt(stored.id(), channel.name(), channel.target(), attempt.httpStatus(),
                  attempt.error(), attempt.delivered()));
          if (!last.delivered()) {
            store.markFailed(stored.id(), channel.name());
            Delivery now = store.deliveries(stored.id()).stream().filter(x -> x.channel().equals(channel.name()))
                .findFirst().orElseThrow();
            failed.add(RetrainDelivery.failure(channel, now.attempts(), last));
          }
        }
      } finally {
        advisoryLock(lock, request.requestKey(), false);
      }
    }
    ExecutionContext jobContext = stepExecution.getJobExecution().getExecutionContext();
    jobContext.putString(CREATED, Boolean.toString(created));
    jobContext.putString(ATTEMPTED, String.join(",", attempted));
    JobOutcomes.details(jobContext, RetrainService.details(store.byKey(request.requestKey()).orElseThrow(), created));
    if (!created && attempted.isEmpty()) {
      JobOutcomes.noop(jobContext);
    }
    contribution.incrementWriteCount(attempted.size() + (created ? 1 : 0));
    if (!failed.isEmpty()) {
      throw new RetrainDeliveryException("retrain request " + request.requestKey() + " for model " + model.name()
          + " was not delivered: " + String.join("; ", failed)
          + ". The outbox row is stored; run the same trigger-retrain again to retry the undelivered channels");
    }
    return RepeatStatus.FINISHED;
  }

  /** A session-level advisory lock on the key (waits for another run of the same key to finish). */
  private static void advisoryLock(Connection connection, String requestKey, boolean lock) throws SQLException {
    long id = Long.parseUnsignedLong(requestKey.substring(0, 16), 16);
    try (PreparedStatement statement = connection.prepareStatement(
        lock ? "SELECT pg_advisory_lock(?)" : "SELECT pg_advisory_unlock(?)")) {
      statement.setLong(1, id);
      statement.execute();
    }
  }
}
