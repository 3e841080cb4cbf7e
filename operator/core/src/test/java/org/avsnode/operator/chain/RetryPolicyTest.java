package org.avsnode.operator.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy p = new RetryPolicy(6, Duration.ofMillis(100), Duration.ofMillis(1000));

  @RepeatedTest(20)
  void backoffGrowsExponentiallyWithJitterAndIsCapped() {
    assertThat(p.backoff(1).toMillis()).isBetween(50L, 100L);
    assertThat(p.backoff(2).toMillis()).isBetween(100L, 200L);
    assertThat(p.backoff(3).toMillis()).isBetween(200L, 400L);
    assertThat(p.backoff(5).toMillis()).isBetween(500L, 1000L);
    assertThat(p.backoff(50).toMillis()).isBetween(500L, 1000L);
  }

  @Test
  void badPoliciesAreRefused() {
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
