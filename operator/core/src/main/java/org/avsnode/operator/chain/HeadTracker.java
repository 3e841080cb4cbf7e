package org.avsnode.operator.chain;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.avsnode.operator.metrics.NodeMetrics;
import org.avsnode.operator.spi.Health;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the L1 head by polling the latest block and keeps a window of recent headers. When a new
 * head's parent does not match what it saw, it walks back to the common ancestor and reports a
 * reorg with its depth. The confirmed head is {@code head - confirmations}.
 */
public final class HeadTracker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HeadTracker.class);

  /** Where the tracker reads blocks; {@link L1Client} in production. */
  public interface ChainReader {
    BlockHeader latest();

    Optional<BlockHeader> byNumber(long number);
  }

  /**
   * A chain reorganisation.
   *
   * @param depth number of previously seen blocks that are no longer canonical
   * @param oldHead the head before
   * @param newHead the head after
   * @param commonAncestor the newest block both chains share, empty when it is older than the
   *     window (then {@code depth} is a lower bound)
   */
  public record Reorg(
      int depth, BlockHeader oldHead, BlockHeader newHead, Optional<BlockHeader> commonAncestor) {}

  /** Notified on the polling thread; exceptions are logged and do not stop tracking. */
  public interface Listener {
    /** A new head; {@code confirmed} is empty until the chain is deeper than the confirmations. */
    void onHead(BlockHeader head, Optional<BlockHeader> confirmed);

    default void onReorg(Reorg reorg) {}
  }

  private final ChainReader reader;
  private final int confirmations;
  private final int windowSize;
  private final NodeMetrics metrics;
  private final Clock clock;
  private final Duration staleAfter;
  private final Deque<BlockHeader> window = new ArrayDeque<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private volatile Instant lastSuccess;
  private volatile String lastError;
  private final java.util.concurrent.atomic.AtomicReference<ScheduledExecutorService> executor =
      new java.util.concurrent.atomic.AtomicReference<>();

  /**
   * @param confirmations blocks on top of a block before it counts as confirmed
   * @param staleAfter the L1 service is reported down when no poll succeeded for this long
   */
  public HeadTracker(
      ChainReader reader,
      int confirmations,
      NodeMetrics metrics,
      Clock clock,
      Duration staleAfter) {
    if (confirmations < 0) {
      throw new IllegalArgumentException("confirmations must not be negative");
    }
    this.reader = Objects.requireNonNull(reader, "reader");
    this.confirmations = confirmations;
    this.windowSize = Math.max(64, confirmations + 32);
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.staleAfter = Objects.requireNonNull(staleAfter, "staleAfter");
  }

  public void addListener(Listener listener) {
    listeners.add(Objects.requireNonNull(listener));
  }

  public int confirmations() {
    return confirmations;
  }

  /** Polls every {@code interval} on a daemon thread until {@link #close()}. */
  public void start(Duration interval) {
    ScheduledExecutorService ex =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "l1-head");
              t.setDaemon(true);
              return t;
            });
    if (!executor.compareAndSet(null, ex)) {
      ex.shutdownNow();
      throw new IllegalStateException("already started");
    }
    ex.scheduleWithFixedDelay(
        this::pollQuietly, 0, Math.max(1, interval.toMillis()), TimeUnit.MILLISECONDS);
  }

  private void pollQuietly() {
    try {
      poll();
    } catch (L1Exception e) {
      LOG.warn("L1 head poll failed: {}", e.getMessage());
    } catch (RuntimeException e) {
      lastError = e.toString();
      LOG.error("L1 head poll failed unexpectedly", e);
    }
  }

  /**
   * Reads the latest block once and updates the window; returns the reorg found, if any.
   *
   * @throws L1Exception when L1 cannot be read (the window is left unchanged)
   */
  public synchronized Optional<Reorg> poll() {
    BlockHeader latest;
    try {
      latest = reader.latest();
      Optional<Reorg> reorg = advance(latest);
      lastSuccess = clock.instant();
      lastError = null;
      return reorg;
    } catch (L1Exception e) {
      lastError = e.getMessage();
      throw e;
    }
  }

  private Optional<Reorg> advance(BlockHeader latest) {
    BlockHeader tip = window.peekLast();
    if (tip == null) {
      window.addLast(latest);
      publish(latest, Optional.empty());
      return Optional.empty();
    }
    if (tip.hash().equals(latest.hash())) {
      return Optional.empty();
    }
    if (latest.number() - tip.number() > windowSize) {
      LOG.info("L1 head jumped from {} to {}; restarting the window", tip, latest);
      window.clear();
      window.addLast(latest);
      publish(latest, Optional.empty());
      return Optional.empty();
    }
    // the latest block may be one we know (the chain went back to it)
    Optional<BlockHeader> same = known(latest.number()).filter(b -> b.hash().equals(latest.hash()));
    BlockHeader ancestor = same.orElse(null);
    List<BlockHeader> segment = new ArrayList<>();
    if (ancestor == null) {
      segment.add(latest);
      BlockHeader cur = latest;
      while (true) {
        if (cur.number() == 0) {
          break;
        }
        long parentNumber = cur.number() - 1;
        Optional<BlockHeader> k = known(parentNumber);
        if (k.isPresent() && k.get().hash().equals(cur.parentHash())) {
          ancestor = k.get();
          break;
        }
        if (parentNumber < window.peekFirst().number() || segment.size() > windowSize) {
          break;
        }
        BlockHeader parent =
            reader
                .byNumber(parentNumber)
                .orElseThrow(
                    () ->
                        new L1Exception(
                            L1Exception.Kind.MALFORMED,
                            "eth_getBlockByNumber",
                            "block " + parentNumber + " below the head is missing"));
        if (!parent.hash().equals(cur.parentHash())) {
          // the chain changed while walking back; the next poll starts over
          LOG.debug("chain moved during the walk back at {}; retrying next poll", parentNumber);
          return Optional.empty();
        }
        segment.add(0, parent);
        cur = parent;
      }
    }
    Optional<Reorg> reorg = Optional.empty();
    if (ancestor == null) {
      int depth = (int) Math.max(1, tip.number() - window.peekFirst().number() + 1);
      reorg = Optional.of(new Reorg(depth, tip, latest, Optional.empty()));
      window.clear();
    } else {
      int depth = (int) (tip.number() - ancestor.number());
      while (!window.isEmpty() && window.peekLast().number() > ancestor.number()) {
        window.removeLast();
      }
      if (depth > 0) {
        reorg = Optional.of(new Reorg(depth, tip, latest, Optional.of(ancestor)));
      }
    }
    for (BlockHeader b : segment) {
      window.addLast(b);
    }
    while (window.size() > windowSize) {
      window.removeFirst();
    }
    reorg.ifPresent(this::publishReorg);
    publish(latest, confirmedHead());
    return reorg;
  }

  private Optional<BlockHeader> known(long number) {
    for (BlockHeader b : window) {
      if (b.number() == number) {
        return Optional.of(b);
      }
    }
    return Optional.empty();
  }

  /** The newest block seen. */
  public synchronized Optional<BlockHeader> head() {
    return Optional.ofNullable(window.peekLast());
  }

  /** The block {@code confirmations} below the head, when it is in the window. */
  public synchronized Optional<BlockHeader> confirmedHead() {
    BlockHeader tip = window.peekLast();
    if (tip == null || tip.number() < confirmations) {
      return Optional.empty();
    }
    return known(tip.number() - confirmations);
  }

  /** Health of L1 access: down before the first successful poll or when it went stale. */
  public Health health() {
    Instant ok = lastSuccess;
    String err = lastError;
    if (ok == null) {
      return Health.down(err == null ? "no L1 head yet" : err);
    }
    if (Duration.between(ok, clock.instant()).compareTo(staleAfter) > 0) {
      return Health.down(
          "no L1 head for " + Duration.between(ok, clock.instant()).toSeconds() + "s: " + err);
    }
    return err == null ? Health.up() : Health.partial(err);
  }

  private void publish(BlockHeader head, Optional<BlockHeader> confirmed) {
    metrics.chainHead(head.number(), confirmed.map(BlockHeader::number).orElse(-1L));
    for (Listener l : listeners) {
      try {
        l.onHead(head, confirmed);
      } catch (RuntimeException e) {
        LOG.error("head listener {} failed", l, e);
      }
    }
  }

  private void publishReorg(Reorg r) {
    metrics.reorg();
    LOG.warn(
        "L1 reorg of depth {}: {} -> {} (common ancestor {})",
        r.depth(),
        r.oldHead(),
        r.newHead(),
        r.commonAncestor().map(Object::toString).orElse("older than the window"));
    for (Listener l : listeners) {
      try {
        l.onReorg(r);
      } catch (RuntimeException e) {
        LOG.error("reorg listener {} failed", l, e);
      }
    }
  }

  @Override
  public void close() {
    ScheduledExecutorService ex = executor.getAndSet(null);
    if (ex != null) {
      ex.shutdownNow();
      try {
        ex.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
