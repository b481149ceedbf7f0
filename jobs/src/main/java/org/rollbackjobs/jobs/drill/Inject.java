package org.rollbackjobs.jobs.drill;

import java.util.Arrays;
import java.util.List;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.verify.DatasetCheck;
import org.rollbackjobs.iceberg.verify.FeatureTableCheck;
import org.rollbackjobs.vector.verify.IndexFinding;

/**
 * The fault a drill injects into its sandbox before the rollback, and the finding kinds by which {@code verify}
 * must detect it.
 */
public enum Inject {
  NONE("none", List.of()),
  /** Rows appended to a dataset's branch. */
  BAD_LOAD("bad-load", List.of(DatasetCheck.CONTENT_DIFFERS)),
  /** A feature table recomputed on its branch from another source snapshot. */
  STALE_FEATURES("stale-features", List.of(FeatureTableCheck.SOURCE_MISMATCH)),
  /** Part of the sandbox index re-embedded with another model of the same dimension. */
  MIXED_EMBEDDINGS("mixed-embeddings", List.of(IndexFinding.MIXED_EMBEDDING_VERSIONS));

  private final String label;
  private final List<String> detectedBy;

  Inject(String label, List<String> detectedBy) {
    this.label = label;
    this.detectedBy = detectedBy;
  }

  public String label() {
    return label;
  }

  /** The finding kinds any one of which shows that verify detected the fault. */
  public List<String> detectedBy() {
    return detectedBy;
  }

  public static Inject parse(String text) {
    return Arrays.stream(values()).filter(i -> i.label.equals(text)).findFirst()
        .orElseThrow(() -> new BadInputException("--inject '" + text + "' is not a fault; valid: "
            + String.join(", ", Arrays.stream(values()).map(Inject::label).toList())));
  }

  @Override
  public String toString() {
    return label;
  }
}
