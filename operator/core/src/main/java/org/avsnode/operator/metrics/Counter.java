package org.avsnode.operator.metrics;

/** A monotonically increasing count for one set of label values. */
public interface Counter {
  void inc();

  /** Adds {@code amount}, which must not be negative. */
  void inc(long amount);
}
