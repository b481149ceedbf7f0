package org.rollbackjobs.jobs.retrain;

/** A channel did not deliver a retrain request after its retries (or got a 4xx); rerunning retries it. */
public class RetrainDeliveryException extends RuntimeException {
  public RetrainDeliveryException(String message) {
    super(message);
  }
}
