package org.avsnode.operator.time;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Runs a task after a delay. Injectable, so tests advance time by hand instead of sleeping. */
public interface Scheduler {
  /** A scheduled task that can be called off. */
  interface Cancellable {
    void cancel();
  }

  Cancellable schedule(Duration delay, Runnable task);

  /** A scheduler on a {@link ScheduledExecutorService}. */
  static Scheduler of(ScheduledExecutorService executor) {
    return (delay, task) -> {
      ScheduledFuture<?> f = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    };
  }

  /**
   * After {@code delay} on {@code timer}, hands {@code task} to {@code worker} (so slow work, such
   * as waiting for an L1 receipt, never holds the timer's thread). Quiet when either is shut down:
   * the node is stopping and the task is dropped.
   */
  static void later(
      ScheduledExecutorService timer,
      java.util.concurrent.Executor worker,
      Duration delay,
      Runnable task) {
    try {
      timer.schedule(
          () -> {
            try {
              worker.execute(task);
            } catch (java.util.concurrent.RejectedExecutionException ignored) {
              // stopping
            }
          },
          delay.toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException ignored) {
      // stopping
    }
  }
}
