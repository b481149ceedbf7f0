package org.rollbackjobs.vector.index;

import org.rollbackjobs.iceberg.BadInputException;

/**
 * The recall probe of a validation: {@code sampleSize} stored vectors are used as queries; for each, the top
 * {@code k} through the ANN index are compared with an exact search. Recall is the share of ANN answers that are
 * among the exact top k (ties at the k-th distance count as found). The build passes when recall reaches
 * {@code recallFloor}.
 */
public record ProbeSettings(double recallFloor, int sampleSize, int k) {
  public ProbeSettings {
    if (recallFloor < 0 || recallFloor > 1) {
      throw new BadInputException("--recall-floor " + recallFloor + " is out of range; 0 to 1, for example 0.9");
    }
    if (sampleSize < 1 || sampleSize > 10_000) {
      throw new BadInputException("recall sample size " + sampleSize + " is out of range; 1 to 10000");
    }
    if (k < 1 || k > 1000) {
      throw new BadInputException("recall k " + k + " is out of range; 1 to 1000");
    }
  }

  public static ProbeSettings defaults() {
    return new ProbeSettings(0.9, 50, 10);
  }
}
