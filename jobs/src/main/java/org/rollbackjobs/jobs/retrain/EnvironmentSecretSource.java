package org.rollbackjobs.jobs.retrain;

import java.util.Optional;
import org.springframework.stereotype.Component;

/** Reads credentials from the process environment. */
@Component
class EnvironmentSecretSource implements SecretSource {
  @Override
  public Optional<String> get(String name) {
    return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank());
  }
}
