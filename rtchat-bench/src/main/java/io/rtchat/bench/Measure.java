package io.rtchat.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One benchmark result: our figure and the raw baseline's, measured in the same run.
 *
 * @param measure a stable dotted name, e.g. {@code rtt.ask} or {@code connect.mqtt}
 * @param ours the figure for RTChat's code
 * @param baseline the figure for the raw baseline measured in the same run
 * @param unit the unit of both figures (us, ms, bytes, MB/s, KiB, deliveries/s, ns/op ...)
 * @param ratio {@code ours / baseline}
 * @param extra secondary figures (p95/p99, sizes, notes); keys and values are for people
 */
public record Measure(String measure, double ours, double baseline, String unit, double ratio,
    Map<String, Object> extra) {

  public Measure {
    extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
  }

  /** A measure whose ratio is computed as {@code ours / baseline}. */
  public static Measure of(String measure, double ours, double baseline, String unit,
      Map<String, Object> extra) {
    return new Measure(measure, ours, baseline, unit, baseline == 0 ? Double.NaN : ours / baseline,
        extra);
  }
}
