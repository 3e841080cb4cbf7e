package org.avsnode.operator.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EpochClockTest {
  // L1: one block per 2 s starting at t = 1000; epochs of 10 blocks (20 s)
  private static Optional<Long> ts(long block, long head) {
    return block <= head ? Optional.of(1000 + 2 * block) : Optional.empty();
  }

  @Test
  void operatorsWithSlightlyDifferentL1ViewsSignTheSameEpoch() {
    // boundary of epoch 3 is block 30 at t = 1060; an L2 block at t = 1062 (lag 6 s: 1056)
    EpochClock ahead = new EpochClock(10, Duration.ofSeconds(6), () -> 31, n -> ts(n, 31));
    EpochClock behind = new EpochClock(10, Duration.ofSeconds(6), () -> 29, n -> ts(n, 29));
    assertThat(ahead.epochFor(1062)).isEqualTo(2);
    assertThat(behind.epochFor(1062)).isEqualTo(2);
    // once the boundary is lag seconds old, both sign epoch 3 (the lagging view has caught up)
    EpochClock later = new EpochClock(10, Duration.ofSeconds(6), () -> 34, n -> ts(n, 34));
    EpochClock laterBehind = new EpochClock(10, Duration.ofSeconds(6), () -> 33, n -> ts(n, 33));
    assertThat(later.epochFor(1066)).isEqualTo(3);
    assertThat(laterBehind.epochFor(1066)).isEqualTo(3);
  }

  @Test
  void neverAheadOfTheL1HeadAndZeroBeforeTheFirstBoundary() {
    EpochClock c = new EpochClock(10, Duration.ofSeconds(6), () -> 5, n -> ts(n, 5));
    assertThat(c.epochFor(5_000)).isZero();
    EpochClock d = new EpochClock(10, Duration.ofSeconds(0), () -> 45, n -> ts(n, 45));
    assertThat(d.epochFor(10_000)).isEqualTo(4);
  }

  @Test
  void boundaryTimestampsAreFetchedOnce() {
    AtomicInteger calls = new AtomicInteger();
    EpochClock c =
        new EpochClock(
            10,
            Duration.ofSeconds(6),
            () -> 55,
            n -> {
              calls.incrementAndGet();
              return ts(n, 55);
            });
    for (int i = 0; i < 100; i++) {
      assertThat(c.epochFor(1200)).isEqualTo(5);
    }
    assertThat(calls.get()).isEqualTo(1);
  }
}
