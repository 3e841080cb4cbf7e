package org.avsnode.operator.metrics;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.SimpleCollector;
import io.prometheus.client.exporter.common.TextFormat;
import io.prometheus.client.hotspot.DefaultExports;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * {@link MetricsSystem} on the Prometheus simpleclient, with its own registry (never the global
 * one, so several nodes in one JVM — tests — do not collide) and the JVM metrics.
 */
public final class PrometheusMetricsSystem implements MetricsSystem {
  private final CollectorRegistry registry = new CollectorRegistry(true);
  private final Map<String, Registered> byName = new ConcurrentHashMap<>();

  private record Registered(String type, List<String> labels, Object labelled) {}

  /** A system with the JVM's metrics (memory, GC, threads) registered. */
  public PrometheusMetricsSystem() {
    this(true);
  }

  public PrometheusMetricsSystem(boolean jvmMetrics) {
    if (jvmMetrics) {
      DefaultExports.register(registry);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public Labelled<Counter> counter(
      MetricCategory category, String name, String help, String... labels) {
    String full = MetricCategory.fullName(category, MetricsSystem.checkCounterName(name));
    return (Labelled<Counter>)
        register(
            full,
            "counter",
            labels,
            n -> {
              io.prometheus.client.Counter c =
                  io.prometheus.client.Counter.build()
                      .name(n)
                      .help(helpOf(help, n))
                      .labelNames(labels)
                      .register(registry);
              return labelled(
                  c,
                  labels.length,
                  child ->
                      new Counter() {
                        @Override
                        public void inc() {
                          child.inc();
                        }

                        @Override
                        public void inc(long amount) {
                          if (amount < 0) {
                            throw new IllegalArgumentException("negative increment " + amount);
                          }
                          child.inc(amount);
                        }
                      });
            });
  }

  @Override
  @SuppressWarnings("unchecked")
  public Labelled<Gauge> gauge(
      MetricCategory category, String name, String help, String... labels) {
    String full = MetricCategory.fullName(category, name);
    return (Labelled<Gauge>)
        register(
            full,
            "gauge",
            labels,
            n -> {
              io.prometheus.client.Gauge g =
                  io.prometheus.client.Gauge.build()
                      .name(n)
                      .help(helpOf(help, n))
                      .labelNames(labels)
                      .register(registry);
              return labelled(g, labels.length, child -> (Gauge) child::set);
            });
  }

  @Override
  @SuppressWarnings("unchecked")
  public Labelled<Histogram> histogram(
      MetricCategory category, String name, String help, double[] buckets, String... labels) {
    String full = MetricCategory.fullName(category, name);
    double[] b = buckets == null || buckets.length == 0 ? DURATION_BUCKETS : buckets.clone();
    return (Labelled<Histogram>)
        register(
            full,
            "histogram",
            labels,
            n -> {
              io.prometheus.client.Histogram h =
                  io.prometheus.client.Histogram.build()
                      .name(n)
                      .help(helpOf(help, n))
                      .buckets(b)
                      .labelNames(labels)
                      .register(registry);
              return labelled(h, labels.length, child -> (Histogram) child::observe);
            });
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public Optional<String> scrape() {
    StringWriter out = new StringWriter();
    try {
      TextFormat.write004(out, registry.metricFamilySamples());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Optional.of(out.toString());
  }

  /** The content type of {@link #scrape()}. */
  public static String contentType() {
    return TextFormat.CONTENT_TYPE_004;
  }

  private Object register(
      String full, String type, String[] labels, Function<String, Object> create) {
    for (String l : labels) {
      MetricCategory.check(l, "label");
    }
    List<String> labelList = List.of(labels);
    Registered r =
        byName.computeIfAbsent(full, n -> new Registered(type, labelList, create.apply(n)));
    if (!r.type().equals(type) || !r.labels().equals(labelList)) {
      throw new IllegalArgumentException(
          "metric "
              + full
              + " already exists as a "
              + r.type()
              + " with labels "
              + r.labels()
              + "; asked for a "
              + type
              + " with labels "
              + labelList);
    }
    return r.labelled();
  }

  private static <C, T> Labelled<T> labelled(
      SimpleCollector<C> collector, int labelCount, Function<C, T> wrap) {
    if (labelCount == 0) {
      T only = wrap.apply(collector.labels());
      return values -> {
        checkCount(values, 0);
        return only;
      };
    }
    Map<List<String>, T> children = new ConcurrentHashMap<>();
    return values -> {
      checkCount(values, labelCount);
      String[] v = Arrays.stream(values).map(s -> s == null ? "" : s).toArray(String[]::new);
      return children.computeIfAbsent(List.of(v), k -> wrap.apply(collector.labels(v)));
    };
  }

  private static void checkCount(String[] values, int expected) {
    int n = values == null ? 0 : values.length;
    if (n != expected) {
      throw new IllegalArgumentException("expected " + expected + " label values, got " + n);
    }
  }

  private static String helpOf(String help, String name) {
    return help == null || help.isBlank() ? name : help;
  }
}
