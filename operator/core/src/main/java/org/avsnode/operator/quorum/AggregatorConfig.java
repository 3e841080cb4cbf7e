package org.avsnode.operator.quorum;

import java.time.Duration;
import java.util.Objects;

/**
 * Aggregator settings.
 *
 * @param thresholdBps the stake share (basis points of the snapshot's total) a certificate needs
 * @param collectionWindow how long to keep collecting after the first certificate of a height
 *     before publishing an improved one (DESIGN.md §7); zero publishes no improvement
 * @param maxTrackedHeights how many (rollupId, l2BlockNumber) heights are held at once; adding one
 *     more evicts the oldest
 * @param maxPendingPerHeight how many attestations one height may hold (across all digests)
 */
public record AggregatorConfig(
    int thresholdBps, Duration collectionWindow, int maxTrackedHeights, int maxPendingPerHeight) {
  public AggregatorConfig {
    if (thresholdBps < 1 || thresholdBps > 10_000) {
      throw new IllegalArgumentException("thresholdBps must be in [1, 10000]");
    }
    Objects.requireNonNull(collectionWindow, "collectionWindow");
    if (collectionWindow.isNegative()) {
      throw new IllegalArgumentException("collectionWindow must not be negative");
    }
    if (maxTrackedHeights < 1) {
      throw new IllegalArgumentException("maxTrackedHeights must be positive");
    }
    if (maxPendingPerHeight < 1) {
      throw new IllegalArgumentException("maxPendingPerHeight must be positive");
    }
  }

  /** 2/3 of the stake, a 300 ms window, 1024 heights, up to 4096 attestations per height. */
  public static AggregatorConfig defaults() {
    return new AggregatorConfig(6667, Duration.ofMillis(300), 1024, 4096);
  }

  public AggregatorConfig withThresholdBps(int bps) {
    return new AggregatorConfig(bps, collectionWindow, maxTrackedHeights, maxPendingPerHeight);
  }

  public AggregatorConfig withCollectionWindow(Duration window) {
    return new AggregatorConfig(thresholdBps, window, maxTrackedHeights, maxPendingPerHeight);
  }

  public AggregatorConfig withMaxTrackedHeights(int max) {
    return new AggregatorConfig(thresholdBps, collectionWindow, max, maxPendingPerHeight);
  }

  public AggregatorConfig withMaxPendingPerHeight(int max) {
    return new AggregatorConfig(thresholdBps, collectionWindow, maxTrackedHeights, max);
  }
}
