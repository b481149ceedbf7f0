package org.rollbackjobs.jobs.notify;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.rollbackjobs.jobs.notify.WebhookNotifier.Delivery;
import org.rollbackjobs.vector.http.EndpointFaultMatrix;
import org.rollbackjobs.vector.http.ScriptedHttpServer.Received;

/**
 * A notification webhook that misbehaves ({@link EndpointFaultMatrix}): what a delivery records (redacted URL,
 * attempts, last status, error). Recording it in the database is {@code RollbackNotificationsTest}'s.
 */
class WebhookNotifierFaultsTest extends EndpointFaultMatrix {

  @Override
  protected String successBody(Received request) {
    return "{\"ok\":true}";
  }

  @Override
  protected Result callOnce() {
    URI url = URI.create(server.url("/hooks/T000/secret-token"));
    WebhookNotifier notifier = new WebhookNotifier(new NotifyProperties(List.of(url.toString()), MAX_ATTEMPTS,
        INITIAL_BACKOFF, MAX_BACKOFF, TIMEOUT), null);
    try {
      Delivery delivery = notifier.deliver("completed", url,
          "{\"event\":\"completed\"}".getBytes(StandardCharsets.UTF_8));
      // as the warning logged for an undelivered notification shows it
      return delivery.delivered() ? Result.success()
          : Result.failure(delivery.url() + " after " + delivery.attempts() + " attempt(s): " + delivery.error());
    } finally {
      notifier.destroy();
    }
  }

  @Override
  protected String endpointShown() {
    return Webhooks.redact(server.url("/hooks/T000/secret-token"));
  }
}
