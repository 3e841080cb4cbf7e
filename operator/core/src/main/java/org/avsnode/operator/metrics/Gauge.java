package org.avsnode.operator.metrics;

/** A value that goes up and down, for one set of label values. */
public interface Gauge {
  void set(double value);
}
