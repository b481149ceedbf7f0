package org.rollbackjobs.vector.index;

/** A build failed validation: it is kept (status failed) for inspection and the serving name was not switched. */
public class ValidationFailedException extends RuntimeException {
  private final transient ValidationReport report;

  public ValidationFailedException(IndexBuild build, ValidationReport report) {
    super("build " + build.id() + " of index " + build.index() + " failed validation; the serving name was not"
        + " switched: " + String.join("; ", report.failures()));
    this.report = report;
  }

  public ValidationReport report() {
    return report;
  }
}
