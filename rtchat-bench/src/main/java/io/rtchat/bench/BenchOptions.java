package io.rtchat.bench;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * How much to run and where to report progress.
 *
 * @param quick the quick suite (under two minutes on two cores) instead of the full one
 * @param scale multiplies every size and count of the chosen suite (1 = as documented; the smoke
 *     test uses less); counts never drop below a small floor
 * @param only comma-separated prefixes of the steps to run (e.g. {@code rtt,fanout}); null or
 *     empty runs every step
 * @param progress receives one human-readable line per step
 * @param pending receives the measures that could not be produced, with the reason
 */
public record BenchOptions(boolean quick, double scale, String only, Consumer<String> progress,
    Consumer<Pending> pending) {

  public BenchOptions {
    if (!(scale > 0) || scale > 1) {
      throw new IllegalArgumentException("scale must be in (0, 1], was " + scale);
    }
    progress = progress == null ? line -> {} : progress;
    pending = pending == null ? p -> {} : pending;
  }

  /** The quick suite, silent. */
  public static BenchOptions quickSuite() {
    return new BenchOptions(true, 1, null, null, null);
  }

  /** The full suite, silent. */
  public static BenchOptions fullSuite() {
    return new BenchOptions(false, 1, null, null, null);
  }

  public BenchOptions withScale(double scale) {
    return new BenchOptions(quick, scale, only, progress, pending);
  }

  public BenchOptions withProgress(Consumer<String> progress) {
    return new BenchOptions(quick, scale, only, Objects.requireNonNull(progress), pending);
  }

  public BenchOptions withPending(Consumer<Pending> pending) {
    return new BenchOptions(quick, scale, only, progress, Objects.requireNonNull(pending));
  }

  public BenchOptions withOnly(String only) {
    return new BenchOptions(quick, scale, only, progress, pending);
  }

  /** Whether the step of this name is selected by {@link #only}. */
  boolean selected(String step) {
    if (only == null || only.isBlank()) {
      return true;
    }
    for (String prefix : only.split(",")) {
      if (!prefix.isBlank() && step.startsWith(prefix.trim())) {
        return true;
      }
    }
    return false;
  }

  /** {@code full} in the full suite, {@code quick} in the quick one, times the scale. */
  int count(int quickCount, int fullCount, int floor) {
    return Math.max(floor, (int) Math.round((quick ? quickCount : fullCount) * scale));
  }

  long size(long quickBytes, long fullBytes, long floor) {
    return Math.max(floor, Math.round((quick ? quickBytes : fullBytes) * scale));
  }
}
