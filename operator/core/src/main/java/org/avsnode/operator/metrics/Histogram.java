package org.avsnode.operator.metrics;

/** A distribution of observations (durations in seconds, sizes), for one set of label values. */
public interface Histogram {
  void observe(double value);

  /** Starts timing; {@link Timer#close()} observes the elapsed seconds. */
  default Timer startTimer() {
    long start = System.nanoTime();
    return () -> observe((System.nanoTime() - start) / 1e9);
  }

  /** A running measurement. */
  interface Timer extends AutoCloseable {
    @Override
    void close();
  }
}
