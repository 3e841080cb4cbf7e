package org.avsnode.mach;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A token bucket per sender: {@link #PER_SECOND} messages a second with bursts of {@link #BURST}.
 * An honest operator sends one attestation per L2 block and rollup; the budget leaves room for
 * several rollups and catch-up after a restart. At most {@link #MAX_SENDERS} buckets are kept (the
 * least recently used goes), so a flood of invented senders costs bounded memory.
 */
final class RateLimiter {
  static final int PER_SECOND = 50;
  static final int BURST = 200;
  static final int MAX_SENDERS = 4096;

  private final Clock clock;
  private final Map<ByteBuffer, double[]> buckets =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, double[]> eldest) {
          return size() > MAX_SENDERS;
        }
      };

  RateLimiter(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Takes one token of {@code sender}'s bucket; false when it is empty. */
  synchronized boolean tryAcquire(ByteBuffer sender) {
    double now = clock.millis() / 1000.0;
    double[] b = buckets.computeIfAbsent(sender, k -> new double[] {BURST, now});
    b[0] = Math.min(BURST, b[0] + (now - b[1]) * PER_SECOND);
    b[1] = now;
    if (b[0] < 1) {
      return false;
    }
    b[0] -= 1;
    return true;
  }
}
