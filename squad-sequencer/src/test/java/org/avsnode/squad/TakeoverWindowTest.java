package org.avsnode.squad;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a backup may start taking a missed slot over, inside its window of the inbox. */
class TakeoverWindowTest {

  @Test
  void aBackupStartsOnlyInTheFirstHalfOfItsWindow() {
    long opens = 1_000_000;
    long closes = opens + 2_000; // the devnet's 2-second window
    assertThat(SquadDuty.mayStartTakeover(opens, opens, closes)).isFalse();
    assertThat(SquadDuty.mayStartTakeover(opens + 99, opens, closes)).isFalse();
    assertThat(SquadDuty.mayStartTakeover(opens + 100, opens, closes)).isTrue();
    assertThat(SquadDuty.mayStartTakeover(opens + 999, opens, closes)).isTrue();
    // a node restarted 1.3 s into the window: its commitment would land after the close
    assertThat(SquadDuty.mayStartTakeover(opens + 1_000, opens, closes)).isFalse();
    assertThat(SquadDuty.mayStartTakeover(opens + 1_300, opens, closes)).isFalse();
    assertThat(SquadDuty.mayStartTakeover(closes - 1, opens, closes)).isFalse();
  }

  @Test
  void aShortWindowKeepsAQuarterAsItsMargin() {
    long opens = 5_000;
    long closes = opens + 200;
    assertThat(SquadDuty.mayStartTakeover(opens + 49, opens, closes)).isFalse();
    assertThat(SquadDuty.mayStartTakeover(opens + 50, opens, closes)).isTrue();
    assertThat(SquadDuty.mayStartTakeover(opens + 100, opens, closes)).isFalse();
  }
}
