package org.rollbackjobs.jobs.retrain;

import java.net.URI;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.rollbackjobs.jobs.retrain.RetrainDelivery.Attempt;
import org.rollbackjobs.vector.http.EndpointFaultMatrix;
import org.rollbackjobs.vector.http.ScriptedHttpServer.Received;

/**
 * A retrain webhook that misbehaves ({@link EndpointFaultMatrix}): the error is the one {@code trigger-retrain}
 * reports for an undelivered channel. Airflow channels are delivered by the same code.
 */
class RetrainDeliveryFaultsTest extends EndpointFaultMatrix {

  @Override
  protected String successBody(Received request) {
    return "{\"accepted\":true}";
  }

  @Override
  protected Result callOnce() {
    RetrainDelivery delivery = new RetrainDelivery(new RetrainProperties(MAX_ATTEMPTS, INITIAL_BACKOFF, MAX_BACKOFF,
        TIMEOUT), name -> Optional.empty());
    RetrainChannel channel = new RetrainChannel(RetrainStore.WEBHOOK, URI.create(server.url("/retrain?token=t0k")),
        null);
    AtomicInteger attempts = new AtomicInteger();
    Attempt last = delivery.deliver(channel, "0123456789abcdef0123", "{\"model\":\"churn-model\"}",
        attempt -> attempts.incrementAndGet());
    return last.delivered() ? Result.success() : Result.failure(RetrainDelivery.failure(channel, attempts.get(), last));
  }

  @Override
  protected String endpointShown() {
    return "webhook " + server.url("/retrain");
  }
}
