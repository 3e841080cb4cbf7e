package org.avsnode.squad.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;

class LeaderScheduleTest {
  private static final byte[] SEED = Hash.sha3("seed".getBytes());

  private static List<BigInteger> weights(long... w) {
    List<BigInteger> out = new ArrayList<>();
    for (long v : w) {
      out.add(BigInteger.valueOf(v));
    }
    return out;
  }

  @Test
  void ranksAreDistinctOperatorsWithWeight() {
    LeaderSchedule s = new LeaderSchedule(SEED, weights(5, 0, 3, 9, 0, 1), 2);
    for (long slot = 0; slot < 5_000; slot++) {
      int[] r = s.ranksOf(slot);
      assertThat(r).hasSize(3);
      Set<Integer> seen = new HashSet<>();
      for (int i : r) {
        assertThat(i).isIn(0, 2, 3, 5);
        assertThat(seen.add(i)).as("slot %d ranks %s", slot, java.util.Arrays.toString(r)).isTrue();
      }
    }
  }

  @Test
  void ranksBeyondTheOperatorsWithWeightAreEmpty() {
    LeaderSchedule s = new LeaderSchedule(SEED, weights(0, 7, 0, 2), 3);
    for (long slot = 0; slot < 200; slot++) {
      int[] r = s.ranksOf(slot);
      assertThat(new int[] {r[0], r[1]}).containsExactlyInAnyOrder(1, 3);
      assertThat(r[2]).isEqualTo(LeaderSchedule.NONE);
      assertThat(r[3]).isEqualTo(LeaderSchedule.NONE);
    }
    LeaderSchedule empty = new LeaderSchedule(SEED, weights(0, 0), 1);
    assertThat(empty.ranksOf(3)).containsExactly(LeaderSchedule.NONE, LeaderSchedule.NONE);
  }

  @Test
  void theScheduleDependsOnTheSeedAndOnlyOnIt() {
    List<BigInteger> w = weights(1, 1, 1, 1, 1, 1, 1, 1);
    LeaderSchedule a = new LeaderSchedule(SEED, w, 1);
    LeaderSchedule again = new LeaderSchedule(SEED.clone(), w, 1);
    LeaderSchedule other = new LeaderSchedule(Hash.sha3("other".getBytes()), w, 1);
    int differ = 0;
    for (long slot = 0; slot < 1_000; slot++) {
      assertThat(again.ranksOf(slot)).containsExactly(a.ranksOf(slot));
      if (other.leaderOf(slot) != a.leaderOf(slot)) {
        differ++;
      }
    }
    // 7 in 8 leaders differ between two independent schedules of 8 equal operators
    assertThat(differ).isBetween(800, 950);
  }

  @Test
  void theLastSlotDrawnIsKeptAndACallerCannotChangeIt() {
    LeaderSchedule s = new LeaderSchedule(SEED, weights(4, 2, 8, 1, 3), 2);
    LeaderSchedule fresh = new LeaderSchedule(SEED, weights(4, 2, 8, 1, 3), 2);
    int[] first = s.ranksOf(17);
    first[0] = 99; // the caller's copy
    assertThat(s.ranksOf(17)).containsExactly(fresh.ranksOf(17));
    assertThat(s.ranksOf(18)).containsExactly(fresh.ranksOf(18));
    assertThat(s.ranksOf(17)).containsExactly(fresh.ranksOf(17));
  }

  @Test
  void rankOfAgreesWithRanksOf() {
    LeaderSchedule s = new LeaderSchedule(SEED, weights(4, 2, 8, 1), 1);
    for (long slot = 0; slot < 100; slot++) {
      int[] r = s.ranksOf(slot);
      assertThat(s.rankOf(slot, r[0])).isZero();
      assertThat(s.rankOf(slot, r[1])).isEqualTo(1);
      assertThat(s.leaderOf(slot)).isEqualTo(r[0]);
      for (int i = 0; i < 4; i++) {
        if (i != r[0] && i != r[1]) {
          assertThat(s.rankOf(slot, i)).isEqualTo(LeaderSchedule.NONE);
        }
      }
    }
  }

  /**
   * Leaders are drawn in proportion to weight: over 10^5 slots each operator's share is within 1
   * percentage point of its weight, and Pearson's chi-square is under the 0.1% critical value for 7
   * degrees of freedom (24.32). The benchmark runs the same over 10^6 slots.
   */
  @Test
  void leadersAreDrawnInProportionToWeight() {
    List<BigInteger> w = weights(1, 2, 3, 4, 5, 6, 7, 8);
    Fairness f = Fairness.measure(new LeaderSchedule(SEED, w, 2), 0, 100_000);
    assertThat(f.maxAbsoluteDeviation()).isLessThan(0.01);
    assertThat(f.chiSquare()).isLessThan(24.32);
  }

  @Test
  void aSkewedScheduleFailsTheFairnessCheck() {
    // the check can fail: counting the schedule of weights 1..8 against weights 8..1
    Fairness f =
        Fairness.measure(
            new LeaderSchedule(SEED, weights(1, 2, 3, 4, 5, 6, 7, 8), 0),
            weights(8, 7, 6, 5, 4, 3, 2, 1),
            0,
            20_000);
    assertThat(f.chiSquare()).isGreaterThan(1_000);
    assertThat(f.maxAbsoluteDeviation()).isGreaterThan(0.1);
  }

  @Test
  void rejectsBadInput() {
    assertThatThrownBy(() -> new LeaderSchedule(new byte[31], weights(1), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> new LeaderSchedule(SEED, weights(1, -1), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LeaderSchedule(SEED, weights(1), -1))
        .isInstanceOf(IllegalArgumentException.class);
    LeaderSchedule s = new LeaderSchedule(SEED, weights(1), 0);
    assertThatThrownBy(() -> s.ranksOf(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
