package org.avsnode.operator.registry;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;

/**
 * The {@code stakeEpoch} an operator signs for an L2 block, computed from the block itself so that
 * every honest operator signs the same bytes even when the L2 block arrives right at an L1 epoch
 * boundary (where "the epoch of my L1 head" differs between operators by a block or two, splitting
 * the signatures between two digests so that neither reaches the threshold).
 *
 * <p>Rule: epoch {@code e} starts at L1 block {@code e * epochLength} (the registry's {@code
 * epoch(b) = b / epochLength}). The stake epoch of an L2 block with timestamp {@code t} is the
 * largest {@code e} whose boundary block exists and has a timestamp at most {@code t - lag}. Both
 * inputs are chain data, not local clocks; operators agree as long as each one's view of the L1
 * head is less than {@code lag} behind. The result is never ahead of the L1 head's epoch, so the
 * registry accepts it (it lags the current epoch by at most one while the next boundary settles).
 */
public final class EpochClock {
  private final long epochLength;
  private final long lagSeconds;
  private final LongSupplier l1Head;
  private final LongFunction<Optional<Long>> blockTimestamp;
  private final ConcurrentHashMap<Long, Long> boundaryTimestamps = new ConcurrentHashMap<>();

  /**
   * @param l1Head the current L1 block number
   * @param blockTimestamp the timestamp (seconds) of an L1 block, empty if it does not exist yet
   */
  public EpochClock(
      long epochLength,
      Duration lag,
      LongSupplier l1Head,
      LongFunction<Optional<Long>> blockTimestamp) {
    if (epochLength <= 0) {
      throw new IllegalArgumentException("epochLength must be positive");
    }
    this.epochLength = epochLength;
    this.lagSeconds = Math.max(0, lag.toSeconds());
    this.l1Head = Objects.requireNonNull(l1Head, "l1Head");
    this.blockTimestamp = Objects.requireNonNull(blockTimestamp, "blockTimestamp");
  }

  /** The stake epoch for an L2 block with this timestamp (seconds). */
  public long epochFor(long l2Timestamp) {
    long target = l2Timestamp - lagSeconds;
    for (long e = l1Head.getAsLong() / epochLength; e > 0; e--) {
      Optional<Long> ts = boundaryTimestamp(e);
      if (ts.isPresent() && ts.get() <= target) {
        return e;
      }
    }
    return 0;
  }

  private Optional<Long> boundaryTimestamp(long epoch) {
    Long cached = boundaryTimestamps.get(epoch);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<Long> ts = blockTimestamp.apply(epoch * epochLength);
    ts.ifPresent(t -> boundaryTimestamps.put(epoch, t)); // a boundary block, once final, stays
    if (boundaryTimestamps.size() > 1024) {
      long oldest = boundaryTimestamps.keySet().stream().mapToLong(Long::longValue).min().orElse(0);
      boundaryTimestamps.remove(oldest);
    }
    return ts;
  }
}
