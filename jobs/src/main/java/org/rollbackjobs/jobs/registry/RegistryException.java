package org.rollbackjobs.jobs.registry;

/**
 * A registry call failed (no answer after the retries, or an answer that is not success): exit 1, the step can be
 * run again. The message names the endpoint and the status, never a credential.
 */
public class RegistryException extends RuntimeException {
  public RegistryException(String message) {
    super(message);
  }
}
