package org.avsnode.operator.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlotClockTest {
  @Test
  void slotsFollowTheInjectedClockWithoutSleeping() {
    ManualTime time = new ManualTime();
    SlotClock slots = new SlotClock(time, time.instant().plusSeconds(10), Duration.ofSeconds(2));
    assertThat(slots.currentSlot()).isEqualTo(-1);
    assertThat(slots.untilNextSlot()).isEqualTo(Duration.ofSeconds(10));
    time.advance(Duration.ofSeconds(10));
    assertThat(slots.currentSlot()).isZero();
    time.advance(Duration.ofMillis(1999));
    assertThat(slots.currentSlot()).isZero();
    assertThat(slots.untilNextSlot()).isEqualTo(Duration.ofMillis(1));
    time.advance(Duration.ofMillis(1));
    assertThat(slots.currentSlot()).isEqualTo(1);
    assertThat(slots.startOf(5)).isEqualTo(slots.endOf(4));
    assertThat(slots.slotAt(slots.startOf(7))).isEqualTo(7);
    assertThat(slots.slotAt(slots.endOf(7).minusNanos(1))).isEqualTo(7);
    assertThatThrownBy(() -> slots.startOf(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tasksRunAtTheirSlotBoundariesInOrder() {
    ManualTime time = new ManualTime();
    SlotClock slots = new SlotClock(time, time.instant(), Duration.ofSeconds(1));
    List<Long> ran = new ArrayList<>();
    for (long s = 3; s >= 1; s--) {
      long slot = s;
      time.schedule(Duration.between(time.instant(), slots.startOf(slot)), () -> ran.add(slot));
    }
    Scheduler.Cancellable cancelled = time.schedule(Duration.ofMillis(2500), () -> ran.add(-1L));
    cancelled.cancel();
    time.advance(Duration.ofSeconds(5));
    assertThat(ran).containsExactly(1L, 2L, 3L);
    assertThat(time.pendingTasks()).isZero();
  }
}
