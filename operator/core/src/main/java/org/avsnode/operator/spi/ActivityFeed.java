package org.avsnode.operator.spi;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the node's duties did lately, for people: the status page's feed ({@code GET
 * /status/api/events}). The node provides one instance through {@link DutyPorts}; a duty publishes
 * its notable outcomes (a certificate made, a verdict decided, a signature refused) and never reads
 * it. Bounded: the last {@link #CAPACITY} entries of each kind are kept (so a flood of attestations
 * never pushes the last certificate out); listeners are called on the publishing thread and must
 * not block (the HTTP streams queue per client).
 */
public final class ActivityFeed {
  private static final Logger LOG = LoggerFactory.getLogger(ActivityFeed.class);

  /** Entries of one kind kept for a page that opens later. */
  public static final int CAPACITY = 50;

  /**
   * One thing a duty did.
   *
   * @param seq increasing from 1 within this node's run
   * @param at when it was published
   * @param duty the duty's id ({@code mach}, {@code vital}, {@code squad})
   * @param kind what it is: {@code attestation}, {@code certificate}, {@code finalized}, {@code
   *     verdict}, {@code verdict-certificate}, {@code verdict-recorded}, {@code refused}, {@code
   *     evidence}, {@code slot} (a slot the node committed or lost), {@code check} (a committed
   *     slot that failed the node's check)
   * @param rollupId the rollup it concerns
   * @param subject what it is about, e.g. {@code L2 #12} or {@code output #3}
   * @param outcome the result in a few words, e.g. {@code VALID} or {@code signers 3/4}
   * @param latencyMillis how long it took, where that is meaningful (else null)
   * @param detail one more line (a reason, a transaction hash), or empty
   * @param level {@code info}, {@code warn} (worth a look) or {@code alert} (act now)
   */
  public record Entry(
      long seq,
      Instant at,
      String duty,
      String kind,
      long rollupId,
      String subject,
      String outcome,
      Long latencyMillis,
      String detail,
      String level) {}

  private final Clock clock;
  private final Map<String, ArrayDeque<Entry>> recent = new LinkedHashMap<>();
  private final List<Consumer<Entry>> listeners = new CopyOnWriteArrayList<>();
  private long seq;

  public ActivityFeed(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Publishes an entry at level {@code info}. */
  public void publish(
      String duty,
      String kind,
      long rollupId,
      String subject,
      String outcome,
      Long latencyMillis,
      String detail) {
    publish(duty, kind, rollupId, subject, outcome, latencyMillis, detail, "info");
  }

  /** Publishes an entry. */
  public void publish(
      String duty,
      String kind,
      long rollupId,
      String subject,
      String outcome,
      Long latencyMillis,
      String detail,
      String level) {
    Entry e;
    synchronized (recent) {
      e =
          new Entry(
              ++seq,
              clock.instant(),
              duty,
              kind,
              rollupId,
              subject,
              outcome,
              latencyMillis,
              detail == null ? "" : detail,
              level);
      ArrayDeque<Entry> ofKind = recent.computeIfAbsent(kind, k -> new ArrayDeque<>());
      ofKind.addLast(e);
      while (ofKind.size() > CAPACITY) {
        ofKind.removeFirst();
      }
    }
    for (Consumer<Entry> l : listeners) {
      try {
        l.accept(e);
      } catch (RuntimeException ex) {
        LOG.debug("activity listener failed: {}", ex.toString());
      }
    }
  }

  /** The kept entries, oldest first. */
  public List<Entry> recent() {
    List<Entry> all = new ArrayList<>();
    synchronized (recent) {
      recent.values().forEach(all::addAll);
    }
    all.sort(Comparator.comparingLong(Entry::seq));
    return all;
  }

  /** Calls {@code listener} for every entry published from now on; returns what unsubscribes. */
  public Runnable subscribe(Consumer<Entry> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return () -> listeners.remove(listener);
  }
}
