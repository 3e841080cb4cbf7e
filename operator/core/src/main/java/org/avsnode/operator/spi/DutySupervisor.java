package org.avsnode.operator.spi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.avsnode.operator.metrics.Counter;
import org.avsnode.operator.metrics.Labelled;
import org.avsnode.operator.metrics.NoOpMetricsSystem;
import org.avsnode.operator.time.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts, watches and stops the enabled duties. Each duty is isolated: an exception from one duty's
 * start, health or stop is logged, turns that duty's health to {@code DOWN}, and leaves the other
 * duties running.
 *
 * <p>A failed start is not final: most failures at start are an L1 or L2 endpoint failing for a
 * moment (a 5xx, a reset, a garbled answer while the duty reads its contracts), and a duty left
 * down for the life of the process would sign nothing until someone restarts the node. The
 * supervisor stops what the failed start acquired ({@link Duty#stop()}), then starts the duty again
 * after a growing delay ({@link #DEFAULT_FIRST_RETRY} doubling up to {@link #DEFAULT_MAX_RETRY}),
 * for as long as the node runs. Each failed attempt is logged and counted; the duty's health is
 * {@code DOWN} with the last failure and the attempt number until a start succeeds.
 */
public final class DutySupervisor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DutySupervisor.class);

  public static final Duration DEFAULT_FIRST_RETRY = Duration.ofSeconds(1);
  public static final Duration DEFAULT_MAX_RETRY = Duration.ofSeconds(30);

  private final Map<String, Entry> duties = new LinkedHashMap<>();
  private final RetryTimer timer;
  private final Duration firstRetry;
  private final Duration maxRetry;
  private final Labelled<Counter> startFailures;
  private volatile boolean closed;

  private static final class Entry {
    final Duty duty;
    volatile boolean running;
    volatile String failure;
    int attempts;

    Entry(Duty duty) {
      this.duty = duty;
    }
  }

  /** Where the next attempt of a failed start is scheduled. */
  public interface RetryTimer extends AutoCloseable {
    /** Runs {@code task} once after {@code delay}; may refuse once closed. */
    void schedule(Runnable task, Duration delay);

    @Override
    void close();

    /** A daemon thread of its own, created on the first failed start. */
    static RetryTimer daemon() {
      return new RetryTimer() {
        private ScheduledExecutorService exec;

        @Override
        public synchronized void schedule(Runnable task, Duration delay) {
          if (exec == null) {
            exec = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("duty-restart"));
          }
          exec.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public synchronized void close() {
          if (exec != null) {
            exec.shutdownNow();
          }
        }
      };
    }
  }

  /**
   * Creates the enabled duties from the installed factories.
   *
   * @throws IllegalArgumentException naming the unknown ids when a duty is enabled that no
   *     installed module provides
   */
  public static DutySupervisor create(
      Map<String, DutyFactory> installed, Set<String> enabled, DutyContext context) {
    Set<String> unknown = new TreeSet<>(enabled);
    unknown.removeAll(installed.keySet());
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown duties " + unknown + "; installed: " + new TreeSet<>(installed.keySet()));
    }
    List<Duty> created = new ArrayList<>();
    for (String id : new TreeSet<>(enabled)) {
      created.add(Objects.requireNonNull(installed.get(id).create(context), id));
    }
    return new DutySupervisor(created);
  }

  public DutySupervisor(List<Duty> duties) {
    this(
        duties,
        RetryTimer.daemon(),
        DEFAULT_FIRST_RETRY,
        DEFAULT_MAX_RETRY,
        values -> NoOpMetricsSystem.COUNTER);
  }

  /**
   * @param timer where the next attempt of a failed start runs
   * @param firstRetry delay before the second attempt; each further one doubles it
   * @param maxRetry cap of the delay
   * @param startFailures counter labelled by duty id, one per failed start
   */
  public DutySupervisor(
      List<Duty> duties,
      RetryTimer timer,
      Duration firstRetry,
      Duration maxRetry,
      Labelled<Counter> startFailures) {
    this.timer = Objects.requireNonNull(timer, "timer");
    this.firstRetry = Objects.requireNonNull(firstRetry, "firstRetry");
    this.maxRetry = Objects.requireNonNull(maxRetry, "maxRetry");
    if (firstRetry.isNegative() || firstRetry.isZero() || maxRetry.compareTo(firstRetry) < 0) {
      throw new IllegalArgumentException("need 0 < firstRetry <= maxRetry");
    }
    this.startFailures = Objects.requireNonNull(startFailures, "startFailures");
    for (Duty d : duties) {
      if (this.duties.putIfAbsent(d.id(), new Entry(d)) != null) {
        throw new IllegalArgumentException("duplicate duty id " + d.id());
      }
    }
  }

  /**
   * Starts every duty; a failing start is recorded, does not stop the others, and is tried again
   * later (see the class comment).
   */
  public void startAll() {
    for (Entry entry : duties.values()) {
      tryStart(entry);
    }
  }

  private void tryStart(Entry entry) {
    String id = entry.duty.id();
    synchronized (entry) {
      if (closed || entry.running) {
        return;
      }
      entry.attempts++;
      try {
        entry.duty.start();
        entry.running = true;
        entry.failure = null;
        if (entry.attempts == 1) {
          LOG.info("duty {} started", id);
        } else {
          LOG.info("duty {} started at attempt {}", id, entry.attempts);
        }
        return;
      } catch (Exception | LinkageError ex) {
        startFailures.labels(id).inc();
        Duration next = retryDelay(entry.attempts);
        entry.failure =
            "start failed (attempt "
                + entry.attempts
                + ", next in "
                + next.toMillis()
                + " ms): "
                + describe(ex);
        if (entry.attempts == 1) {
          LOG.error(
              "duty {} failed to start; the other duties keep running, it is tried again in {} ms",
              id,
              next.toMillis(),
              ex);
        } else {
          LOG.warn(
              "duty {} failed to start (attempt {}), tried again in {} ms: {}",
              id,
              entry.attempts,
              next.toMillis(),
              describe(ex));
        }
        // release what the failed start acquired before the next attempt
        try {
          entry.duty.stop();
        } catch (Exception | LinkageError stopEx) {
          LOG.warn("duty {}: stopping after a failed start failed: {}", id, describe(stopEx));
        }
        try {
          timer.schedule(() -> tryStart(entry), next);
        } catch (RejectedExecutionException rejected) {
          // closing
        }
      }
    }
  }

  /** The delay after {@code failures} failed attempts: firstRetry, doubled each time, capped. */
  Duration retryDelay(int failures) {
    Duration d = firstRetry;
    for (int i = 1; i < failures && d.compareTo(maxRetry) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(maxRetry) > 0 ? maxRetry : d;
  }

  /** The duty with this id, when it is enabled (for an embedding program's fault injection). */
  public java.util.Optional<Duty> duty(String id) {
    Entry entry = duties.get(id);
    return entry == null ? java.util.Optional.empty() : java.util.Optional.of(entry.duty);
  }

  /** Health of one duty, or empty when no such duty is enabled. */
  public java.util.Optional<Health> health(String id) {
    Entry entry = duties.get(id);
    return entry == null ? java.util.Optional.empty() : java.util.Optional.of(healthOf(entry));
  }

  /** Health of every enabled duty, in start order. */
  public Map<String, Health> healthByDuty() {
    Map<String, Health> out = new LinkedHashMap<>();
    duties.forEach((id, entry) -> out.put(id, healthOf(entry)));
    return out;
  }

  /**
   * The node's health: UP when every duty is up, DOWN when every duty is down (or none is enabled),
   * PARTIAL otherwise.
   */
  public Health overall() {
    Map<String, Health> all = healthByDuty();
    if (all.isEmpty()) {
      return Health.down("no duty enabled");
    }
    long down = all.values().stream().filter(h -> h.status() == Health.Status.DOWN).count();
    if (down == all.size()) {
      return Health.down("every duty is down");
    }
    Health worst = Health.up();
    for (Health h : all.values()) {
      worst = worst.worst(h);
    }
    return worst.status() == Health.Status.UP
        ? worst
        : Health.partial("degraded: " + degradedIds(all));
  }

  public Set<String> ids() {
    return Collections.unmodifiableSet(duties.keySet());
  }

  /**
   * Stops every duty that is running, in reverse order, and cancels the pending attempts of those
   * whose start failed (already stopped after their failure).
   */
  @Override
  public void close() {
    closed = true;
    timer.close();
    List<String> ids = new ArrayList<>(duties.keySet());
    Collections.reverse(ids);
    for (String id : ids) {
      Entry entry = duties.get(id);
      synchronized (entry) {
        if (!entry.running) {
          continue;
        }
        try {
          entry.duty.stop();
        } catch (Exception | LinkageError ex) {
          LOG.error("duty {} failed to stop cleanly", id, ex);
        } finally {
          entry.running = false;
        }
      }
    }
  }

  private static Health healthOf(Entry entry) {
    if (entry.failure != null) {
      return Health.down(entry.failure);
    }
    if (!entry.running) {
      return Health.down("not running");
    }
    try {
      return Objects.requireNonNull(entry.duty.health(), "health() returned null");
    } catch (RuntimeException | LinkageError ex) {
      return Health.down("health check failed: " + describe(ex));
    }
  }

  private static String degradedIds(Map<String, Health> all) {
    List<String> ids = new ArrayList<>();
    all.forEach(
        (id, h) -> {
          if (h.status() != Health.Status.UP) {
            ids.add(id + "=" + h.status());
          }
        });
    return String.join(", ", ids);
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
