package org.avsnode.squad;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.avsnode.squad.leader.SquadContracts;
import org.junit.jupiter.api.Test;

/** The follower's view of the inbox's commitments across L1 reorgs. */
class CommittedSlotsTest {

  private static SquadContracts.Commitment c(long slot, int block, long l1Block) {
    byte[] h = new byte[32];
    h[0] = (byte) block;
    h[31] = (byte) slot;
    return new SquadContracts.Commitment(
        slot, "0xaa", 0, new byte[32], h, new byte[32], 0, l1Block);
  }

  @Test
  void readingTheWindowAgainAddsOnceAndRetractsWhatAReorgRemoved() {
    CommittedSlots s = new CommittedSlots(100);
    List<SquadContracts.Commitment> first = List.of(c(1, 1, 10), c(2, 1, 14));
    CommittedSlots.Changes ch = s.apply(0, first);
    assertThat(ch.added()).hasSize(2);
    assertThat(ch.retracted()).isEmpty();
    // the same window read again: nothing new, nothing removed
    ch = s.apply(0, first);
    assertThat(ch.added()).isEmpty();
    assertThat(ch.retracted()).isEmpty();
    // a reorg from L1 block 12 on: slot 2's commitment is gone, then slot 2 is committed again
    // (another block) in L1 block 15, and slot 3 follows
    ch = s.apply(12, List.of());
    assertThat(ch.retracted()).extracting(SquadContracts.Commitment::slot).containsExactly(2L);
    assertThat(s.of(2)).isNull();
    assertThat(s.of(1)).isNotNull(); // before the window: final
    ch = s.apply(12, List.of(c(2, 2, 15), c(3, 1, 16)));
    assertThat(ch.added()).extracting(SquadContracts.Commitment::slot).containsExactly(2L, 3L);
    assertThat(s.of(2).blockHash()[0]).isEqualTo((byte) 2);
    // the replacement seen in one reading: the old one is retracted, the new one added
    ch = s.apply(16, List.of(c(3, 9, 17)));
    assertThat(ch.retracted()).extracting(x -> x.blockHash()[0]).containsExactly((byte) 1);
    assertThat(ch.added()).extracting(x -> x.blockHash()[0]).containsExactly((byte) 9);
  }

  /** What MACH asks before attesting a sequenced block: the live commitment naming it. */
  @Test
  void aBlockIsNamedOnlyByALiveCommitment() {
    CommittedSlots s = new CommittedSlots(100);
    s.apply(0, List.of(c(1, 1, 10), c(2, 1, 14)));
    assertThat(s.naming(c(2, 1, 0).blockHash()))
        .isNotNull()
        .extracting(x -> x.l1Block())
        .isEqualTo(14L);
    assertThat(s.naming(c(3, 1, 0).blockHash())).isNull();
    // a reorg removes slot 2's commitment: its block is named by nothing; the replacement is
    s.apply(12, List.of());
    assertThat(s.naming(c(2, 1, 0).blockHash())).isNull();
    s.apply(12, List.of(c(2, 2, 15)));
    assertThat(s.naming(c(2, 1, 0).blockHash())).isNull();
    assertThat(s.naming(c(2, 2, 0).blockHash())).extracting(x -> x.l1Block()).isEqualTo(15L);
    assertThat(s.naming(c(1, 1, 0).blockHash())).isNotNull();
  }

  @Test
  void theWindowIsTheLastReorgDepthBlocksAndWhatIsKeptIsBounded() {
    assertThat(CommittedSlots.scanFrom(100, 101, -1)).isEqualTo(100 - CommittedSlots.REORG_DEPTH);
    assertThat(CommittedSlots.scanFrom(100, 50, -1)).isEqualTo(50); // a first, longer scan
    assertThat(CommittedSlots.scanFrom(10, 11, -1)).isZero();
    // a finalized block close to the head (the devnet's: 4 below it): still the last 32
    assertThat(CommittedSlots.scanFrom(100, 101, 96)).isEqualTo(100 - CommittedSlots.REORG_DEPTH);
    // Ethereum's (about 64 to 96 below the head): every block above it
    assertThat(CommittedSlots.scanFrom(1_000, 1_001, 910)).isEqualTo(911);
    // an L1 that has not finalized for hours: the last MAX_REORG_WINDOW
    assertThat(CommittedSlots.scanFrom(100_000, 100_001, 10))
        .isEqualTo(100_000 - CommittedSlots.MAX_REORG_WINDOW);
    CommittedSlots s = new CommittedSlots(3);
    List<SquadContracts.Commitment> many = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      many.add(c(i, 1, i));
    }
    s.apply(0, many);
    assertThat(s.view()).hasSize(3).containsOnlyKeys(7L, 8L, 9L);
  }

  private static SquadContracts.Commitment escape(long slot, long l1Block) {
    SquadContracts.Commitment c = c(slot, 7, l1Block);
    return new SquadContracts.Commitment(
        slot,
        "0xbb",
        SquadContracts.ESCAPE_RANK,
        c.parentHash(),
        c.blockHash(),
        c.txListHash(),
        1,
        l1Block);
  }

  /**
   * Escape-hatch blocks hold the due forced items only: a leader after them carries the promises of
   * the slots left without a block before them, from the last commitment that is not the hatch's.
   */
  @Test
  void preconfirmationsAreCarriedFromTheLastCommitmentThatIsNotTheEscapeHatchs() {
    CommittedSlots s = new CommittedSlots(100);
    s.apply(0, List.of(c(3, 1, 10), c(4, 1, 11)));
    assertThat(s.carryAfter(4, 32)).as("a regular commitment: carry from after it").isEqualTo(4);
    assertThat(s.carryAfter(9, 32)).as("not in this view (yet): as before").isEqualTo(9);
    // slots 5 and 6 have no block; the hatch commits 7, and 8 after it
    s.apply(0, List.of(c(3, 1, 10), c(4, 1, 11), escape(7, 14), escape(8, 15)));
    assertThat(s.carryAfter(8, 32)).isEqualTo(4);
    assertThat(s.carryAfter(7, 32)).isEqualTo(4);
    // never further back than the leader carries
    assertThat(s.carryAfter(8, 2)).isEqualTo(6);
    // an escape commitment with nothing known below it: whether those slots have a block is not
    // known, so nothing below it is carried
    CommittedSlots fresh = new CommittedSlots(100);
    fresh.apply(0, List.of(escape(7, 14)));
    assertThat(fresh.carryAfter(7, 32)).isEqualTo(7);
  }
}
