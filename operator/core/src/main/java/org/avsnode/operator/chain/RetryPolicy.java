package org.avsnode.operator.chain;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter for transient L1 faults: attempt n waits a random time between
 * half and all of {@code min(maxBackoff, initialBackoff * 2^(n-1))}.
 *
 * @param maxAttempts total attempts including the first (1 = no retry)
 * @param initialBackoff wait before the second attempt
 * @param maxBackoff cap of the wait
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(5));

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff");
    }
  }

  /** The wait before attempt {@code attempt + 1}, after {@code attempt} failures (1-based). */
  public Duration backoff(int attempt) {
    long base = initialBackoff.toMillis();
    long cap = maxBackoff.toMillis();
    long exp = base;
    for (int i = 1; i < attempt && exp < cap; i++) {
      exp = exp * 2;
    }
    exp = Math.min(exp, cap);
    if (exp <= 1) {
      return Duration.ofMillis(exp);
    }
    long half = exp / 2;
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(exp - half + 1));
  }
}
