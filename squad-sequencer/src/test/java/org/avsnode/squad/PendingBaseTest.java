package org.avsnode.squad;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * When a rank knows that a block above the inbox's last committed one can never be committed: once
 * L1's time has passed the close of every window that could commit it, for a block first seen
 * before any other rank (of its own slot or the next one) could have mined one.
 */
class PendingBaseTest {
  private static final long START = 1_000_000; // the slot starts here
  private static final long END = START + 4_000; // and ends here (4 s slots)

  @Test
  void onTheDevnetTheBackupsWindowOfTheSlotBeforeClosesWhenThisSlotEnds() {
    // 4 s slots, 1 backup, 2 s grace: backup 1 of the slot before commits until this slot's end
    SquadDuty.Bound leader = SquadDuty.earlierWindowsClosed(START, 4_000, 2_000, 0, 1, 1);
    assertThat(leader.closedMillis()).isEqualTo(END);
    // for a block seen before a second before this slot's backup window opens (its end + 2 s)
    assertThat(leader.seenBeforeMillis()).isEqualTo(END + 1_000);
    assertThat(leader.closed(END, END - 250)).isTrue();
    assertThat(leader.closed(END - 1, END - 250)).as("L1 not there yet").isFalse();
    // looked at long after: a block seen early is still not committable; one seen late may be
    assertThat(leader.closed(END + 30_000, END + 999)).isTrue();
    assertThat(leader.closed(END + 30_000, END + 1_000)).isFalse();
  }

  @Test
  void theSlotTwoBeforeCountsWhenItsBackupsCloseLater() {
    // the slot before drew only a leader, the one before it two backups: the latter closes later
    SquadDuty.Bound bound = SquadDuty.earlierWindowsClosed(START, 4_000, 3_000, 0, 0, 2);
    assertThat(bound.closedMillis()).isEqualTo(START - 4_000 + 3 * 3_000);
    // slot 1: no slot two before
    assertThat(SquadDuty.earlierWindowsClosed(START, 4_000, 3_000, 0, 0, -1).closedMillis())
        .isEqualTo(START + 3_000);
  }

  @Test
  void aGraceLongerThanASlotEndsTheBoundAtTheNextSlotsSeal() {
    // 2 s slots, 5 s grace: the leader of the next slot may seal at this slot's end + 2 s, before
    // this slot's backup window opens (its end + 5 s); its block could then be committed
    SquadDuty.Bound bound = SquadDuty.earlierWindowsClosed(START, 2_000, 5_000, 0, 1, 1);
    assertThat(bound.closedMillis()).isEqualTo(START + 10_000);
    assertThat(bound.seenBeforeMillis()).isEqualTo(START + 3_000);
  }

  /**
   * A backup taking a slot over: a block its leader sealed and never committed (the sealer died)
   * can no longer be committed once the leader's window has closed, which is when the backup's
   * opens; without this it waited {@code grace} + 1 s from first seeing the block, which on the
   * devnet outlasts the part of its window in which it may start.
   */
  @Test
  void aBackupCountsTheEarlierRanksOfItsOwnSlot() {
    // the devnet: 4 s slots, 1 backup, 2 s grace; backup 1's window is END + 2 s to END + 4 s
    SquadDuty.Bound backup = SquadDuty.earlierWindowsClosed(START, 4_000, 2_000, 1, 1, 1);
    assertThat(backup.closedMillis()).as("the leader's window closes").isEqualTo(END + 2_000);
    // the next slot's leader seals at END + 4 s: a block seen a second before may be its
    assertThat(backup.seenBeforeMillis()).isEqualTo(END + 3_000);
    // the leader sealed 1.2 s late (a slow L2 node) and died: dropped as the backup's window opens
    assertThat(backup.closed(END + 2_000, END + 1_200)).isTrue();
    assertThat(backup.closed(END + 1_999, END + 1_200)).isFalse();

    // SquadMissedSlotIT: 4 s slots, 1 backup, 3 s grace
    SquadDuty.Bound it = SquadDuty.earlierWindowsClosed(START, 4_000, 3_000, 1, 1, 1);
    assertThat(it.closedMillis()).isEqualTo(END + 3_000);
    assertThat(it.seenBeforeMillis()).isEqualTo(END + 3_000);
    assertThat(it.closed(END + 3_500, END + 1_200)).isTrue();

    // backup 2 of 2: the windows of the leader and of backup 1 (END + 2 grace) count
    SquadDuty.Bound second = SquadDuty.earlierWindowsClosed(START, 8_000, 2_000, 2, 2, 2);
    assertThat(second.closedMillis()).isEqualTo(START + 8_000 + 4_000);
    assertThat(second.seenBeforeMillis()).isEqualTo(START + 8_000 + 6_000 - 1_000);
  }

  @Test
  void noBoundIsNeverClosed() {
    assertThat(SquadDuty.Bound.NONE.closed(Long.MAX_VALUE - 1, 0)).isFalse();
  }
}
