package org.rollbackjobs.jobs.verify;

import java.util.List;

/** Verification found mixed-version state where none is allowed: exit code 3, with the findings. */
public class MixedVersionStateException extends RuntimeException {
  private final transient List<Finding> findings;

  public MixedVersionStateException(String message, List<Finding> findings) {
    super(message);
    this.findings = List.copyOf(findings);
  }

  public List<Finding> findings() {
    return findings;
  }
}
