package org.rollbackjobs.jobs.retrain;

import java.util.Optional;

/**
 * Where credentials named by variable are read from: environment variables (never the command line). The system
 * file names them ({@code token-env}, {@code username-env}, {@code password-env} of MLflow registries and Airflow
 * triggers), and so does the configuration ({@code api-key-env} of remote embedding models).
 */
public interface SecretSource {
  /** The value of the variable, when set and not blank. */
  Optional<String> get(String name);
}
