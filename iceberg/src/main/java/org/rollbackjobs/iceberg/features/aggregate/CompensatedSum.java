package org.rollbackjobs.iceberg.features.aggregate;

/**
 * Neumaier's compensated summation: the rounding error of each addition is carried apart, so that a sum of
 * millions of doubles does not drift with the order in which partitions are merged.
 */
final class CompensatedSum {
  double sum;
  double compensation;
  long n;

  void add(double value) {
    double t = sum + value;
    if (Math.abs(sum) >= Math.abs(value)) {
      compensation += (sum - t) + value;
    } else {
      compensation += (value - t) + sum;
    }
    sum = t;
    n++;
  }

  void merge(CompensatedSum other) {
    long count = n + other.n;
    add(other.sum);
    add(other.compensation);
    n = count;
  }

  double value() {
    return sum + compensation;
  }
}
