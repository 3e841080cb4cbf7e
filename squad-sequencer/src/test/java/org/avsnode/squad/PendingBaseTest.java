package org.avsnode.squad;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * When a leader knows that a block above the inbox's last committed one can never be committed:
 * once L1's time has passed the close of every window that could commit a slot before its own, and
 * only while no rank of its own slot or of the next one can have mined a block yet.
 */
class PendingBaseTest {
  private static final long START = 1_000_000; // the leader's slot starts here

  @Test
  void onTheDevnetTheBackupsWindowOfTheSlotBeforeClosesWhenThisSlotEnds() {
    // 4 s slots, 1 backup, 2 s grace: backup 1 of the slot before commits until this slot's end
    long bound = SquadDuty.earlierWindowsClosed(START + 3_750, START, 4_000, 2_000, 1, 1);
    assertThat(bound).isEqualTo(START + 4_000);
    // valid until a second before this slot's backup window opens (its end + 2 s)
    assertThat(SquadDuty.earlierWindowsClosed(START + 4_999, START, 4_000, 2_000, 1, 1))
        .isEqualTo(START + 4_000);
    assertThat(SquadDuty.earlierWindowsClosed(START + 5_000, START, 4_000, 2_000, 1, 1))
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void theSlotTwoBeforeCountsWhenItsBackupsCloseLater() {
    // the slot before drew only a leader, the one before it two backups: the latter closes later
    long bound = SquadDuty.earlierWindowsClosed(START, START, 4_000, 3_000, 0, 2);
    assertThat(bound).isEqualTo(START - 4_000 + 3 * 3_000);
    // slot 1: no slot two before
    assertThat(SquadDuty.earlierWindowsClosed(START, START, 4_000, 3_000, 0, -1))
        .isEqualTo(START + 3_000);
  }

  @Test
  void aGraceLongerThanASlotEndsTheBoundAtTheNextSlotsSeal() {
    // 2 s slots, 5 s grace: the leader of the next slot may seal at this slot's end + 2 s, before
    // this slot's backup window opens (its end + 5 s); its block could then be committed
    assertThat(SquadDuty.earlierWindowsClosed(START + 2_999, START, 2_000, 5_000, 1, 1))
        .isEqualTo(START + 10_000);
    assertThat(SquadDuty.earlierWindowsClosed(START + 3_000, START, 2_000, 5_000, 1, 1))
        .isEqualTo(Long.MAX_VALUE);
  }
}
