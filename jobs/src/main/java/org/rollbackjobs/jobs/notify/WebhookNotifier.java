package org.rollbackjobs.jobs.notify;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.rollbackjobs.jobs.http.HttpAnswers;
import org.rollbackjobs.jobs.store.StoredJson;
import org.rollbackjobs.vector.http.BoundedHttp;
import org.rollbackjobs.vector.http.BoundedHttp.Outcome;
import org.rollbackjobs.vector.http.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Posts events as JSON to every configured webhook ({@link NotifyProperties}), in the background, one after the
 * other per webhook (an event is sent to a webhook only once the one before it got there or gave up), and records
 * each delivery in {@code rollback.notifications}. Each attempt must be answered completely within the timeout;
 * connection errors, timeouts, 429 and 5xx are retried with exponential backoff, honouring {@code Retry-After}
 * ({@link BoundedHttp}); other answers are not retried. Nothing here ever throws at
 * its caller: a notification that cannot be delivered is a {@link Delivery} with status {@code failed}, logged
 * and recorded. URLs appear only redacted ({@link Webhooks#redact}) in logs, records and results.
 */
@Component
public class WebhookNotifier implements DisposableBean {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);

  private final List<URI> webhooks;
  private final JdbcTemplate jdbc;
  private final BoundedHttp http;
  private final ExecutorService senders;

  public WebhookNotifier(NotifyProperties settings, JdbcTemplate jdbc) {
    this.webhooks = settings.uris();
    this.jdbc = jdbc;
    AtomicInteger threads = new AtomicInteger();
    this.senders = Executors.newCachedThreadPool(r -> {
      Thread thread = new Thread(r, "webhook-notify-" + threads.incrementAndGet());
      thread.setDaemon(true); // never keeps the process alive: a command waits for what it must report
      return thread;
    });
    this.http = new BoundedHttp(HttpClient.newBuilder()
        .connectTimeout(settings.timeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1) // what every webhook receiver speaks; no h2c upgrade on plain http
        .executor(senders)
        .build(), settings.retries());
  }

  /**
   * One event's delivery to one webhook.
   *
   * @param url the webhook, redacted
   * @param status {@code delivered} or {@code failed}
   * @param attempts how many requests were made
   * @param httpStatus the status of the last response, null when there was none
   * @param error why the last attempt failed (null when delivered)
   */
  public record Delivery(String event, String url, String status, int attempts, Integer httpStatus, String error) {
    public static final String DELIVERED = "delivered";
    public static final String FAILED = "failed";

    public boolean delivered() {
      return DELIVERED.equals(status);
    }

    /** As the commands print it in their JSON. */
    public Map<String, Object> json() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("event", event);
      json.put("url", url);
      json.put("status", status);
      json.put("attempts", attempts);
      json.put("http-status", httpStatus);
      if (error != null) {
        json.put("error", error);
      }
      return json;
    }
  }

  /** An event on its way to every webhook: one delivery per webhook, in configuration order. */
  public static final class Sending {
    private final List<CompletableFuture<Delivery>> deliveries;

    private Sending(List<CompletableFuture<Delivery>> deliveries) {
      this.deliveries = deliveries;
    }
  }

  /** Whether any webhook is configured. */
  public boolean enabled() {
    return !webhooks.isEmpty();
  }

  /**
   * Starts sending an event (the payload's {@code event} field names it) to every webhook and returns at once.
   *
   * @param after an event sent before (or null): this one reaches each webhook after it, never before
   */
  public Sending send(Map<String, Object> payload, Sending after) {
    List<CompletableFuture<Delivery>> deliveries = new ArrayList<>();
    byte[] body;
    try {
      body = StoredJson.bytes(payload);
    } catch (RuntimeException e) {
      LOG.warn("notification {} cannot be written as JSON: {}", payload.get("event"), e.toString());
      return new Sending(List.of());
    }
    for (int i = 0; i < webhooks.size(); i++) {
      URI url = webhooks.get(i);
      CompletableFuture<?> before = after == null || i >= after.deliveries.size() ? CompletableFuture.completedFuture(null)
          : after.deliveries.get(i).handle((d, e) -> null);
      deliveries.add(before.thenApplyAsync(ignored -> deliverAndRecord(url, payload, body), senders));
    }
    return new Sending(deliveries);
  }

  /**
   * Waits until every delivery of these events ended (delivered, or given up after the last attempt: the wait is
   * bounded by attempts, timeouts and backoffs) and returns them, event by event, webhook by webhook.
   */
  public List<Delivery> await(Sending... sendings) {
    List<Delivery> all = new ArrayList<>();
    for (Sending sending : sendings) {
      if (sending == null) {
        continue;
      }
      for (CompletableFuture<Delivery> delivery : sending.deliveries) {
        try {
          all.add(delivery.join());
        } catch (RuntimeException e) { // deliverAndRecord never throws; this is a bug, not a reason to fail
          LOG.warn("a notification delivery ended abnormally: {}", e.toString());
        }
      }
    }
    return all;
  }

  private Delivery deliverAndRecord(URI url, Map<String, Object> payload, byte[] body) {
    String event = String.valueOf(payload.get("event"));
    Delivery delivery;
    try {
      delivery = deliver(event, url, body);
    } catch (RuntimeException e) {
      delivery = new Delivery(event, Webhooks.redact(url), Delivery.FAILED, 0, null,
          Webhooks.scrub(e.toString(), url));
    }
    if (delivery.delivered()) {
      LOG.info("notification {} delivered to {} (HTTP {}, attempt {})", event, delivery.url(), delivery.httpStatus(),
          delivery.attempts());
    } else {
      LOG.warn("notification {} NOT delivered to {} after {} attempt(s): {}; the rollback goes on, the notification"
          + " is recorded in rollback.notifications", event, delivery.url(), delivery.attempts(), delivery.error());
    }
    record(payload, delivery);
    return delivery;
  }

  /** Delivers one event to one webhook: retried as {@link BoundedHttp} does, never throws. */
  Delivery deliver(String event, URI url, byte[] body) {
    HttpRequest request = HttpRequest.newBuilder(url)
        .header("Content-Type", "application/json")
        .header("User-Agent", "rollback-jobs")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    Outcome outcome = http.call("notification " + event + " to " + Webhooks.redact(url), request);
    Exchange last = outcome.last();
    if (last.succeeded()) {
      return new Delivery(event, Webhooks.redact(url), Delivery.DELIVERED, outcome.attempts(), last.status(), null);
    }
    String error = last.answered() ? "HTTP " + last.status() + HttpAnswers.excerpt(last.body()) : last.summary();
    return new Delivery(event, Webhooks.redact(url), Delivery.FAILED, outcome.attempts(), last.status(),
        Webhooks.scrub(error + (outcome.gaveUp() == null ? " (not retried)" : " (" + outcome.gaveUp() + ")"), url));
  }

  private void record(Map<String, Object> payload, Delivery delivery) {
    try {
      jdbc.update("INSERT INTO rollback.notifications (event, system, plan_id, manifest_id, job_execution_id, url,"
              + " status, attempts, http_status, error, payload, created_at)"
              + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)",
          delivery.event(), String.valueOf(payload.get("system")), payload.get("plan-id"),
          number(payload.get("manifest-id")), number(payload.get("job-execution-id")), delivery.url(),
          delivery.status(), delivery.attempts(), delivery.httpStatus(), delivery.error(), StoredJson.write(payload),
          Timestamp.from(Instant.now()));
    } catch (RuntimeException e) {
      LOG.warn("notification {} to {} ({}) could not be recorded: {}", delivery.event(), delivery.url(),
          delivery.status(), e.toString());
    }
  }

  private static Long number(Object value) {
    return value instanceof Number n ? n.longValue() : null;
  }

  @Override
  public void destroy() {
    senders.shutdownNow();
  }
}
