package org.avsnode.operator.app.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.avsnode.squad.schedule.LeaderSchedule;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;

/**
 * How long {@code DevnetSquadIT} can wait for its first takeover. The devnet fixes schedule epochs
 * 0 and 1 at deployment, before their window, so their seeds are the predictable chain {@code
 * keccak256(abi.encode(previousSeed, epoch, 0))} from a zero seed, and with equal stakes the leader
 * of each of the first 64 slots is the same registry index in every run. Which operators hold which
 * index is not fixed: they register in parallel. So the slot of the first takeover (an offline
 * leader whose backup 1 is online) depends only on the indices the two offline operators got.
 *
 * <p>A CI run on 2026-12-06 waited 118 s for it (slots 0 to 22 all led by online operators),
 * against 43–48 s in other runs. This test shows why: one pair of indices in 28 puts the first
 * takeover at slot 23, every other pair at slot 15 or before. Slot 23 ends 96 s after slot 0
 * starts, which {@code DevnetSquadIT}'s 150 s wait covers; a change to the devnet's operators,
 * stake, backups or epoch length that moves the worst case shows here first.
 */
class DevnetSquadScheduleTest {

  private static final int OPERATORS = 8; // DevnetSquadIT
  private static final int OFFLINE = 2; // DevnetSquadIT
  private static final long REPUTATION_MAX = 10_000;

  /**
   * {@code keccak256(abi.encode(bytes32 previous, uint64 epoch, uint256 0))}: a late-fixed seed.
   */
  static byte[] lateSeed(byte[] previous, long epoch) {
    byte[] enc = new byte[96];
    System.arraycopy(previous, 0, enc, 0, 32);
    byte[] e = BigInteger.valueOf(epoch).toByteArray();
    System.arraycopy(e, 0, enc, 64 - e.length, e.length);
    return Hash.sha3(enc);
  }

  /**
   * The first slot whose leader is one of {@code offline} and whose backup 1 is not; -1 if none.
   */
  private static long firstTakeover(List<LeaderSchedule> epochs, int a, int b) {
    for (long s = 0; s < Devnet.SQUAD_SLOTS_PER_EPOCH * epochs.size(); s++) {
      int[] r = epochs.get((int) (s / Devnet.SQUAD_SLOTS_PER_EPOCH)).ranksOf(s);
      boolean leaderOffline = r[0] == a || r[0] == b;
      boolean backupOnline = r[1] != a && r[1] != b && r[1] != LeaderSchedule.NONE;
      if (leaderOffline && backupOnline) {
        return s;
      }
    }
    return -1;
  }

  @Test
  void theFirstTakeoverOfDevnetSquadItIsAtSlot23AtTheLatest() {
    assertThat(OFFLINE).isEqualTo(2); // the pairs below
    assertThat(Devnet.SQUAD_BACKUPS).isEqualTo(1);
    List<BigInteger> weights =
        Collections.nCopies(OPERATORS, Devnet.STAKE.multiply(BigInteger.valueOf(REPUTATION_MAX)));
    byte[] seed0 = lateSeed(new byte[32], 0);
    byte[] seed1 = lateSeed(seed0, 1);
    List<LeaderSchedule> epochs =
        List.of(
            new LeaderSchedule(seed0, weights, Devnet.SQUAD_BACKUPS),
            new LeaderSchedule(seed1, weights, Devnet.SQUAD_BACKUPS));

    long worst = -1;
    List<String> worstPairs = new ArrayList<>();
    int pairs = 0;
    for (int a = 0; a < OPERATORS; a++) {
      for (int b = a + 1; b < OPERATORS; b++) {
        pairs++;
        long first = firstTakeover(epochs, a, b);
        assertThat(first)
            .as("offline indices %d and %d: a takeover in epochs 0-1", a, b)
            .isNotNegative();
        if (first > worst) {
          worst = first;
          worstPairs.clear();
        }
        if (first == worst) {
          worstPairs.add(a + "," + b);
        }
      }
    }
    assertThat(pairs).isEqualTo(28);
    assertThat(worst).isEqualTo(23);
    assertThat(worstPairs).containsExactly("2,5");
    // slot 23 ends 96 s after slot 0 starts; DevnetSquadIT waits 150 s from the devnet's start
    assertThat((worst + 1) * Devnet.SQUAD_SLOT_SECONDS).isLessThan(100);
  }

  @Test
  void theLateSeedIsTheContractsEncoding() {
    // keccak256(abi.encode(bytes32(0), uint64(0), uint256(0))), computed with cast
    assertThat(org.web3j.utils.Numeric.toHexString(lateSeed(new byte[32], 0)))
        .isEqualTo("0x46700b4d40ac5c35af2c22dda2787a91eb567b06c924a8fb8ae9a05b20c08c21");
  }
}
