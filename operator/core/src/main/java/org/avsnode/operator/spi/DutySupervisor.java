package org.avsnode.operator.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts, watches and stops the enabled duties. Each duty is isolated: an exception from one duty's
 * start, health or stop is logged, turns that duty's health to {@code DOWN}, and leaves the other
 * duties running.
 */
public final class DutySupervisor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DutySupervisor.class);

  private final Map<String, Entry> duties = new LinkedHashMap<>();

  private static final class Entry {
    final Duty duty;
    volatile boolean running;
    volatile String failure;

    Entry(Duty duty) {
      this.duty = duty;
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
    for (Duty d : duties) {
      if (this.duties.putIfAbsent(d.id(), new Entry(d)) != null) {
        throw new IllegalArgumentException("duplicate duty id " + d.id());
      }
    }
  }

  /** Starts every duty; a failing start is recorded and does not stop the others. */
  public void startAll() {
    for (Map.Entry<String, Entry> e : duties.entrySet()) {
      Entry entry = e.getValue();
      try {
        entry.duty.start();
        entry.running = true;
        LOG.info("duty {} started", e.getKey());
      } catch (Exception | LinkageError ex) {
        entry.failure = "start failed: " + describe(ex);
        LOG.error("duty {} failed to start; the other duties keep running", e.getKey(), ex);
      }
    }
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

  /** Stops every duty that was started (or failed starting), in reverse order. */
  @Override
  public void close() {
    List<String> ids = new ArrayList<>(duties.keySet());
    Collections.reverse(ids);
    for (String id : ids) {
      Entry entry = duties.get(id);
      try {
        entry.duty.stop();
      } catch (Exception | LinkageError ex) {
        LOG.error("duty {} failed to stop cleanly", id, ex);
      } finally {
        entry.running = false;
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
