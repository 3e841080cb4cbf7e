package org.avsnode.operator.metrics;

import java.util.Optional;

/**
 * The metrics façade: the rest of the node never touches the client library. Names are {@code
 * <prefix>_<category>_<name>}; counter names end in {@code _total}. Creating a metric twice with
 * the same name and labels returns the same metric, so independent components can share one.
 */
public interface MetricsSystem {

  /** Default buckets for durations in seconds (1 ms .. 30 s). */
  double[] DURATION_BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
  };

  /**
   * A counter.
   *
   * @throws IllegalArgumentException if the name does not end in {@code _total}, is malformed, or
   *     is already used with other label names or another type
   */
  Labelled<Counter> counter(MetricCategory category, String name, String help, String... labels);

  Labelled<Gauge> gauge(MetricCategory category, String name, String help, String... labels);

  Labelled<Histogram> histogram(
      MetricCategory category, String name, String help, double[] buckets, String... labels);

  /** Whether metrics are collected; the no-op system answers {@code false}. */
  boolean enabled();

  /** The Prometheus text exposition (format 0.0.4), or empty when metrics are disabled. */
  Optional<String> scrape();

  /** Checks a counter name's suffix; shared by the implementations. */
  static String checkCounterName(String name) {
    if (name == null || !name.endsWith("_total") || name.equals("_total")) {
      throw new IllegalArgumentException("counter name '" + name + "' must end in _total");
    }
    return name;
  }
}
