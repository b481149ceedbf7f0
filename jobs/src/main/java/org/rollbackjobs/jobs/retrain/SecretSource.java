package org.rollbackjobs.jobs.retrain;

import java.util.Optional;

/** Where credentials named in a system file are read from: environment variables (never the command line). */
public interface SecretSource {
  /** The value of the variable, when set and not blank. */
  Optional<String> get(String name);
}
