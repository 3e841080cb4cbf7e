package org.avsnode.mach;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.OptionalLong;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.operator.quorum.RejectReason;
import org.avsnode.operator.time.ManualTime;
import org.junit.jupiter.api.Test;

/** The aggregator's intake bounds what a sender can make it hold: a height window and a rate. */
class IntakeLimitsTest {
  private static FinalityAttestation at(long height) {
    return new FinalityAttestation(42, height, new byte[32], new byte[32], 1);
  }

  @Test
  void heightsFarFromTheOwnL2HeadAreRejectedBeforeAnyCryptography() {
    OptionalLong head = OptionalLong.of(1000);
    assertThat(AggregatorRole.outsideWindow(head, at(1000))).isEmpty();
    assertThat(AggregatorRole.outsideWindow(head, at(1000 + AggregatorRole.WINDOW_AHEAD)))
        .isEmpty();
    assertThat(AggregatorRole.outsideWindow(head, at(1000 - AggregatorRole.WINDOW_BEHIND)))
        .isEmpty();
    // the probe's cases: current + 1,000,000 and far behind
    assertThat(AggregatorRole.outsideWindow(head, at(1_001_000)))
        .hasValueSatisfying(r -> assertThat(r.reason()).contains(RejectReason.OUT_OF_WINDOW));
    assertThat(AggregatorRole.outsideWindow(head, at(1000 - AggregatorRole.WINDOW_BEHIND - 1)))
        .hasValueSatisfying(r -> assertThat(r.reason()).contains(RejectReason.OUT_OF_WINDOW));
    // no head yet is this aggregator's state, not the message's fault: retryable (503)
    assertThat(AggregatorRole.outsideWindow(OptionalLong.empty(), at(5)))
        .hasValueSatisfying(
            r -> {
              assertThat(r.detail()).contains("no L2 head");
              assertThat(r.reason()).contains(RejectReason.CLOSED);
            });
  }

  @Test
  void eachSenderHasABudgetThatRefills() {
    ManualTime time = new ManualTime();
    RateLimiter limiter = new RateLimiter(time);
    ByteBuffer a = ByteBuffer.wrap(new byte[] {1});
    ByteBuffer b = ByteBuffer.wrap(new byte[] {2});
    int allowed = 0;
    for (int i = 0; i < 1000; i++) {
      if (limiter.tryAcquire(a)) {
        allowed++;
      }
    }
    assertThat(allowed).isEqualTo(RateLimiter.BURST);
    assertThat(limiter.tryAcquire(b)).as("another sender is not affected").isTrue();
    time.advance(Duration.ofSeconds(1));
    allowed = 0;
    for (int i = 0; i < 1000; i++) {
      if (limiter.tryAcquire(a)) {
        allowed++;
      }
    }
    assertThat(allowed).isEqualTo(RateLimiter.PER_SECOND);
  }
}
