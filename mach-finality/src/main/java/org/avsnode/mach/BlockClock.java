package org.avsnode.mach;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * When this node first saw each recent L2 block, and the block's own timestamp: the start of the
 * latency measured to the certificate. Bounded to the last {@code capacity} blocks.
 */
public final class BlockClock {
  /** Arrival time and L2 timestamp (seconds) of one block. */
  public record Seen(Instant arrivedAt, long l2Timestamp) {}

  private record Key(long rollupId, long height) {}

  private final int capacity;
  private final Map<Key, Seen> seen = new ConcurrentHashMap<>();
  private final Map<Long, java.util.concurrent.atomic.AtomicLong> heads = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Key> order = new ConcurrentLinkedQueue<>();

  public BlockClock(int capacity) {
    this.capacity = capacity;
  }

  public void record(long rollupId, long height, Instant arrivedAt, long l2Timestamp) {
    heads
        .computeIfAbsent(rollupId, r -> new java.util.concurrent.atomic.AtomicLong(-1))
        .accumulateAndGet(height, Math::max);
    Key k = new Key(rollupId, height);
    if (seen.putIfAbsent(k, new Seen(arrivedAt, l2Timestamp)) == null) {
      order.add(k);
      while (seen.size() > capacity) {
        Key old = order.poll();
        if (old == null) {
          break;
        }
        seen.remove(old);
      }
    }
  }

  /** The highest block of the rollup this node has seen; empty before the first. */
  public java.util.OptionalLong head(long rollupId) {
    java.util.concurrent.atomic.AtomicLong h = heads.get(rollupId);
    return h == null || h.get() < 0
        ? java.util.OptionalLong.empty()
        : java.util.OptionalLong.of(h.get());
  }

  public Optional<Seen> get(long rollupId, long height) {
    return Optional.ofNullable(seen.get(new Key(rollupId, height)));
  }
}
