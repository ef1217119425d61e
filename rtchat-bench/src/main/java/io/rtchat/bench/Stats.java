package io.rtchat.bench;

import java.util.Arrays;

/** Order statistics of a sample. */
final class Stats {

  private final double[] sorted;

  private Stats(double[] values) {
    this.sorted = values.clone();
    Arrays.sort(sorted);
  }

  static Stats of(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no samples");
    }
    return new Stats(values);
  }

  static Stats ofNanos(long[] nanos, double divisor) {
    double[] values = new double[nanos.length];
    for (int i = 0; i < nanos.length; i++) {
      values[i] = nanos[i] / divisor;
    }
    return of(values);
  }

  /** Nearest-rank percentile, {@code p} in [0, 100]. */
  double percentile(double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }

  double median() {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  int count() {
    return sorted.length;
  }

  static double round(double value, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(value * f) / f;
  }
}
