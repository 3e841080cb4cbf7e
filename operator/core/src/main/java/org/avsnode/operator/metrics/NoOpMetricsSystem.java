package org.avsnode.operator.metrics;

import java.util.Optional;

/** Collects nothing; every metric is a shared no-op. Names are still checked. */
public final class NoOpMetricsSystem implements MetricsSystem {
  /** A counter that counts nothing (still refuses a negative increment). */
  public static final Counter COUNTER =
      new Counter() {
        @Override
        public void inc() {}

        @Override
        public void inc(long amount) {
          if (amount < 0) {
            throw new IllegalArgumentException("negative increment " + amount);
          }
        }
      };

  /** A gauge that keeps nothing. */
  public static final Gauge GAUGE = value -> {};

  private static final Histogram HISTOGRAM = value -> {};

  @Override
  public Labelled<Counter> counter(
      MetricCategory category, String name, String help, String... labels) {
    MetricCategory.fullName(category, MetricsSystem.checkCounterName(name));
    return values -> COUNTER;
  }

  @Override
  public Labelled<Gauge> gauge(
      MetricCategory category, String name, String help, String... labels) {
    MetricCategory.fullName(category, name);
    return values -> GAUGE;
  }

  @Override
  public Labelled<Histogram> histogram(
      MetricCategory category, String name, String help, double[] buckets, String... labels) {
    MetricCategory.fullName(category, name);
    return values -> HISTOGRAM;
  }

  @Override
  public boolean enabled() {
    return false;
  }

  @Override
  public Optional<String> scrape() {
    return Optional.empty();
  }
}
