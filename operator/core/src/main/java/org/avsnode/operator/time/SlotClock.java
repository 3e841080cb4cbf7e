package org.avsnode.operator.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Slots of a fixed length from a genesis instant, on an injectable {@link Clock}: slot {@code s}
 * runs over {@code [genesis + s * length, genesis + (s + 1) * length)}. Every operator computes the
 * same slot for the same instant; before genesis there is no slot.
 */
public final class SlotClock {
  private final Clock clock;
  private final Instant genesis;
  private final Duration length;

  public SlotClock(Clock clock, Instant genesis, Duration length) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.genesis = Objects.requireNonNull(genesis, "genesis");
    this.length = Objects.requireNonNull(length, "length");
    if (length.isNegative() || length.isZero()) {
      throw new IllegalArgumentException("the slot length must be positive");
    }
  }

  public Duration slotLength() {
    return length;
  }

  /** The slot at {@code t}; -1 before genesis. */
  public long slotAt(Instant t) {
    if (t.isBefore(genesis)) {
      return -1;
    }
    return Duration.between(genesis, t).toNanos() / length.toNanos();
  }

  /** The current slot; -1 before genesis. */
  public long currentSlot() {
    return slotAt(clock.instant());
  }

  /** When slot {@code s} starts. */
  public Instant startOf(long slot) {
    if (slot < 0) {
      throw new IllegalArgumentException("slots start at 0");
    }
    return genesis.plus(length.multipliedBy(slot));
  }

  /** When slot {@code s} ends (the next one starts). */
  public Instant endOf(long slot) {
    return startOf(slot + 1);
  }

  /** How long until the next slot starts (zero or more). */
  public Duration untilNextSlot() {
    Instant now = clock.instant();
    long s = slotAt(now);
    Instant next = s < 0 ? genesis : endOf(s);
    Duration d = Duration.between(now, next);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
