package org.rollbackjobs.jobs.retrain;

import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.rollbackjobs.jobs.manifest.ManifestContent.TablePin;
import org.rollbackjobs.jobs.retrain.RetrainStore.Delivery;
import org.rollbackjobs.jobs.retrain.RetrainStore.StoredRequest;
import org.rollbackjobs.jobs.store.StoredJson;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Retrain requests, their outbox rows and delivery status in PostgreSQL ({@code rollback.retrain_requests},
 * {@code rollback.retrain_outbox}, {@code rollback.retrain_deliveries}). Every write commits in a transaction of
 * its own, so that the status of a delivery survives the failure of the step that attempted it.
 */
@Repository
public class RetrainStore {
  public static final String OUTBOX = "outbox";
  public static final String WEBHOOK = "webhook";
  public static final String AIRFLOW = "airflow";
  /** What the outbox delivery names as its target. */
  public static final String OUTBOX_TARGET = "postgresql:rollback.retrain_outbox";

  private static final String COLUMNS = "id, request_key, system, model, model_version, manifest_id,"
      + " trains_on::text AS trains_on, supersedes, reason, actor, requested_at, job_execution_id,"
      + " payload::text AS payload";

  private final JdbcTemplate jdbc;
  private final TransactionTemplate ownTransaction;

  public RetrainStore(JdbcTemplate jdbc, PlatformTransactionManager transactionManager) {
    this.jdbc = jdbc;
    this.ownTransaction = new TransactionTemplate(transactionManager);
    this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
  }

  /** A stored request with the status of each of its channels. */
  public record StoredRequest(long id, String requestKey, String system, String model, String modelVersion,
      long manifestId, List<TablePin> trainsOn, String supersedes, String reason, String actor, Instant requestedAt,
      Long jobExecutionId, String payload, List<Delivery> deliveries) {

    public Optional<Delivery> delivery(String channel) {
      return deliveries.stream().filter(d -> d.channel().equals(channel)).findFirst();
    }

    public List<Delivery> undelivered() {
      return deliveries.stream().filter(d -> !d.delivered()).toList();
    }

    StoredRequest withDeliveries(List<Delivery> deliveries) {
      return new StoredRequest(id, requestKey, system, model, modelVersion, manifestId, trainsOn, supersedes, reason,
          actor, requestedAt, jobExecutionId, payload, deliveries);
    }
  }

  /** The status of one channel of one request: {@code pending}, {@code delivered} or {@code failed}. */
  public record Delivery(String channel, String target, String status, int attempts, Integer lastHttpStatus,
      String lastError, Instant lastAttemptAt, Instant deliveredAt) {
    public static final String PENDING = "pending";
    public static final String DELIVERED = "delivered";
    public static final String FAILED = "failed";

    public boolean delivered() {
      return DELIVERED.equals(status);
    }

    /** One line: {@code webhook failed after 1 attempt (HTTP 400: ...)}. */
    public String describe() {
      StringBuilder out = new StringBuilder(channel).append(' ').append(status);
      if (!delivered() && attempts > 0) {
        out.append(" after ").append(attempts).append(attempts == 1 ? " attempt" : " attempts");
      }
      if (!delivered() && lastError != null) {
        out.append(" (").append(lastError).append(')');
      }
      return out.toString();
    }
  }

  public Optional<StoredRequest> byKey(String requestKey) {
    return withDeliveries(jdbc.query("SELECT " + COLUMNS + " FROM rollback.retrain_requests WHERE request_key = ?",
        RetrainStore::map, requestKey)).stream().findFirst();
  }

  /** The model's latest request (highest id), whatever it names. */
  public Optional<StoredRequest> latest(String system, String model) {
    return withDeliveries(jdbc.query("SELECT " + COLUMNS + " FROM rollback.retrain_requests"
        + " WHERE system = ? AND model = ? ORDER BY id DESC LIMIT 1", RetrainStore::map, system, model))
        .stream().findFirst();
  }

  /** The latest requests first; {@code system} and {@code model} filter when given. */
  public List<StoredRequest> recent(String system, String model, int limit) {
    List<Object> args = new ArrayList<>();
    List<String> where = new ArrayList<>();
    if (system != null) {
      where.add("system = ?");
      args.add(system);
    }
    if (model != null) {
      where.add("model = ?");
      args.add(model);
    }
    args.add(limit);
    return withDeliveries(jdbc.query("SELECT " + COLUMNS + " FROM rollback.retrain_requests"
        + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where)) + " ORDER BY id DESC LIMIT ?",
        RetrainStore::map, args.toArray()));
  }

  /**
   * Stores the request, its outbox row and its outbox delivery (delivered: the row is the delivery) in one
   * transaction, unless a request with its key exists. Returns whether it was stored now.
   */
  public boolean insertIfAbsent(RetrainRequest request, Long jobExecutionId) {
    String payload = StoredJson.write(request);
    Boolean created = ownTransaction.execute(status -> {
      List<Long> ids = jdbc.queryForList("INSERT INTO rollback.retrain_requests (request_key, system, model,"
              + " model_version, manifest_id, trains_on, supersedes, reason, actor, requested_at, job_execution_id,"
              + " payload) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?::json)"
              + " ON CONFLICT (request_key) DO NOTHING RETURNING id", Long.class,
          request.requestKey(), request.system(), request.model(), request.modelVersion(), request.manifestId(),
          StoredJson.write(request.trainsOn()), request.supersedes(), request.reason(), request.actor(),
          Timestamp.from(request.requestedAt()), jobExecutionId, payload);
      if (ids.isEmpty()) {
        return false;
      }
      jdbc.update("INSERT INTO rollback.retrain_outbox (request_key, system, model, payload)"
          + " VALUES (?, ?, ?, ?::json)", request.requestKey(), request.system(), request.model(), payload);
      jdbc.update("INSERT INTO rollback.retrain_deliveries (request_id, channel, target, status, attempts,"
          + " last_attempt_at, delivered_at) VALUES (?, ?, ?, 'delivered', 1, now(), now())",
          ids.get(0), OUTBOX, OUTBOX_TARGET);
      return true;
    });
    return Boolean.TRUE.equals(created);
  }

  /** Adds a pending delivery for a channel the request does not have yet (configured after it was stored). */
  public void ensureDelivery(long requestId, String channel, String target) {
    ownTransaction.executeWithoutResult(status -> jdbc.update("INSERT INTO rollback.retrain_deliveries"
        + " (request_id, channel, target, status) VALUES (?, ?, ?, 'pending')"
        + " ON CONFLICT (request_id, channel) DO NOTHING", requestId, channel, target));
  }

  /** Records one attempt of a channel: its HTTP status or error, and whether it delivered the request. */
  public void recordAttempt(long requestId, String channel, String target, Integer httpStatus, String error,
      boolean delivered) {
    ownTransaction.executeWithoutResult(status -> jdbc.update("UPDATE rollback.retrain_deliveries SET"
            + " target = ?, attempts = attempts + 1, last_http_status = ?, last_error = ?, last_attempt_at = now(),"
            + " status = CASE WHEN ? THEN 'delivered' ELSE 'pending' END,"
            + " delivered_at = CASE WHEN ? THEN now() ELSE delivered_at END"
            + " WHERE request_id = ? AND channel = ?",
        target, httpStatus, error, delivered, delivered, requestId, channel));
  }

  /** Marks a channel failed: its retries are exhausted or its error is not retried (a 4xx). */
  public void markFailed(long requestId, String channel) {
    ownTransaction.executeWithoutResult(status -> jdbc.update("UPDATE rollback.retrain_deliveries SET"
        + " status = 'failed' WHERE request_id = ? AND channel = ? AND status <> 'delivered'", requestId, channel));
  }

  public List<Delivery> deliveries(long requestId) {
    return jdbc.query("SELECT request_id, channel, target, status, attempts, last_http_status, last_error,"
        + " last_attempt_at, delivered_at FROM rollback.retrain_deliveries WHERE request_id = ?"
        + " ORDER BY CASE channel WHEN 'outbox' THEN 0 WHEN 'webhook' THEN 1 ELSE 2 END", RetrainStore::delivery,
        requestId);
  }

  private List<StoredRequest> withDeliveries(List<StoredRequest> requests) {
    if (requests.isEmpty()) {
      return requests;
    }
    Long[] ids = requests.stream().map(StoredRequest::id).toArray(Long[]::new);
    Map<Long, List<Delivery>> byRequest = new java.util.HashMap<>();
    jdbc.query(con -> {
      var ps = con.prepareStatement("SELECT request_id, channel, target, status, attempts, last_http_status,"
          + " last_error, last_attempt_at, delivered_at FROM rollback.retrain_deliveries WHERE request_id = ANY(?)"
          + " ORDER BY request_id, CASE channel WHEN 'outbox' THEN 0 WHEN 'webhook' THEN 1 ELSE 2 END");
      ps.setArray(1, con.createArrayOf("bigint", ids));
      return ps;
    }, rs -> {
      byRequest.computeIfAbsent(rs.getLong("request_id"), id -> new ArrayList<>()).add(delivery(rs, 0));
    });
    return requests.stream().map(r -> r.withDeliveries(byRequest.getOrDefault(r.id(), List.of()))).toList();
  }

  private static Delivery delivery(ResultSet rs, int row) throws SQLException {
    return new Delivery(rs.getString("channel"), rs.getString("target"), rs.getString("status"),
        rs.getInt("attempts"), (Integer) rs.getObject("last_http_status"), rs.getString("last_error"),
        instant(rs.getTimestamp("last_attempt_at")), instant(rs.getTimestamp("delivered_at")));
  }

  private static StoredRequest map(ResultSet rs, int row) throws SQLException {
    return new StoredRequest(rs.getLong("id"), rs.getString("request_key"), rs.getString("system"),
          rs.getString("model"), rs.getString("model_version"), rs.getLong("manifest_id"),
          StoredJson.read(rs.getString("trains_on"), new TypeReference<List<TablePin>>() {}),
          rs.getString("supersedes"), rs.getString("reason"), rs.getString("actor"),
          instant(rs.getTimestamp("requested_at")), (Long) rs.getObject("job_execution_id"), rs.getString("payload"),
          List.of());
  }

  private static Instant instant(Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }

  static <T> Map<String, T> byChannel(List<T> items, Function<T, String> channel) {
    return items.stream().collect(Collectors.toMap(channel, Function.identity(), (a, b) -> a,
        java.util.LinkedHashMap::new));
  }
}
