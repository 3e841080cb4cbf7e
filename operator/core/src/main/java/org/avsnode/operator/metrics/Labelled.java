package org.avsnode.operator.metrics;

/**
 * A metric with label names; {@link #labels(String...)} selects the child for one set of values (in
 * the order of the names given at creation).
 *
 * @param <T> the child type: {@link Counter}, {@link Gauge} or {@link Histogram}
 */
@FunctionalInterface
public interface Labelled<T> {
  T labels(String... values);
}
