package org.avsnode.vital;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.avsnode.operator.l2.L2Block;
import org.avsnode.operator.l2.L2Exception;
import org.avsnode.operator.l2.OutputRoot;
import org.junit.jupiter.api.Test;

/**
 * Two-source truth: a lagging, pruned, failing or lying L2 endpoint can make an honest node
 * abstain, never sign INVALID (or VALID) on its own.
 */
class OutputCheckerTest {

  /** An L2 node holding blocks 0..head whose roots are derived from the block number. */
  static class FakeL2 implements OutputChecker.Source {
    final String name;
    long head;
    boolean pruned;
    boolean down;
    final Map<Long, byte[]> lies = new HashMap<>();

    FakeL2(String name, long head) {
      this.name = name;
      this.head = head;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public long blockNumber() {
      CALLS.incrementAndGet();
      if (down) {
        throw new L2Exception("eth_blockNumber to " + name + " failed: connection refused");
      }
      return head;
    }

    @Override
    public Optional<L2Block> block(long n) {
      CALLS.incrementAndGet();
      if (n > head) {
        return Optional.empty();
      }
      return Optional.of(new L2Block(n, bytes(n, 1), bytes(n - 1, 1), bytes(n, 2), 1000 + n));
    }

    @Override
    public byte[] outputRoot(L2Block b) {
      CALLS.incrementAndGet();
      if (pruned) {
        throw new L2Exception("eth_getProof failed: missing trie node (state pruned)");
      }
      byte[] lie = lies.get(b.number());
      return lie != null ? lie : trueRoot(b.number());
    }
  }

  static byte[] bytes(long n, int salt) {
    byte[] b = new byte[32];
    b[0] = (byte) salt;
    for (int i = 0; i < 8; i++) {
      b[31 - i] = (byte) ((n + 1) >>> (8 * i));
    }
    return b;
  }

  static byte[] trueRoot(long n) {
    return OutputRoot.v0(bytes(n, 2), bytes(n, 3), bytes(n, 1));
  }

  /** Requests the fake nodes answered (the RPC-calls-per-output figure). */
  static final AtomicInteger CALLS = new AtomicInteger();

  private final AtomicInteger calls = CALLS;

  @org.junit.jupiter.api.BeforeEach
  void resetCalls() {
    CALLS.set(0);
  }

  private OutputChecker checker(long depth, OutputChecker.Source... sources) {
    return new OutputChecker(List.of(sources), depth);
  }

  @Test
  void oneSourceGivesValidOrInvalidInThreeRequests() {
    FakeL2 a = new FakeL2("a", 100);
    OutputChecker c = checker(0, a);
    assertThat(c.check(50, trueRoot(50)).verdict()).isEqualTo(OutputChecker.Verdict.VALID);
    assertThat(calls.get()).isEqualTo(3);
    OutputChecker.Check bad = c.check(60, bytes(60, 9));
    assertThat(bad.verdict()).isEqualTo(OutputChecker.Verdict.INVALID);
    assertThat(bad.computed()).isEqualTo(trueRoot(60));
  }

  @Test
  void precomputingWaitsForMostOfTheTimeTheBlockShouldTakeInsteadOfPollingTheHead() {
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
    FakeL2 a =
        new FakeL2("a", 95) {
          @Override
          public long nanosUntil(long block) {
            return Math.max(0, block - head) * 1_000_000_000L; // one block a second
          }
        };
    OutputChecker c = new OutputChecker(List.of(a), 0, now::get);
    c.precompute(100);
    assertThat(calls.get()).isEqualTo(1); // the head: block 100 is 5 s away
    now.addAndGet(2_000_000_000L);
    c.precompute(100);
    c.precompute(100);
    assertThat(calls.get()).as("no request while the block cannot be there").isEqualTo(1);
    a.head = 99;
    now.addAndGet(3_000_000_000L); // 5 s: the estimate, not yet its 5% margin
    c.precompute(100);
    assertThat(calls.get()).isEqualTo(1);
    now.addAndGet(400_000_000L); // 5.4 s: past 5 s + 5% + 50 ms
    c.precompute(100);
    assertThat(calls.get()).isEqualTo(2); // looked again: one block to go (the L2 was slow)
    a.head = 100;
    now.addAndGet(1_200_000_000L);
    c.precompute(100);
    assertThat(c.isPrecomputed(100)).isTrue();
    assertThat(calls.get()).isEqualTo(5); // head, block, proof
    // a proposal arriving early is checked at once whatever the wait says
    OutputChecker d = new OutputChecker(List.of(a), 0, now::get);
    d.precompute(101);
    int before = calls.get();
    a.head = 101;
    assertThat(d.check(101, trueRoot(101)).verdict()).isEqualTo(OutputChecker.Verdict.VALID);
    assertThat(calls.get() - before).isEqualTo(3);
  }

  @Test
  void aHeadTheSourceAnsweredAlreadySparesTheHeadRequest() {
    FakeL2 a =
        new FakeL2("a", 100) {
          @Override
          public long knownHead() {
            return 100; // e.g. another rollup on this endpoint asked a moment ago
          }
        };
    OutputChecker c = checker(0, a);
    assertThat(c.check(90, trueRoot(90)).verdict()).isEqualTo(OutputChecker.Verdict.VALID);
    assertThat(calls.get()).as("block and proof only").isEqualTo(2);
    // beyond the known head it asks, and a block that is not there is still not final
    assertThat(c.check(101, trueRoot(101)).retryable()).isTrue();
    assertThat(calls.get()).isEqualTo(3);
  }

  @Test
  void aPrecomputedRootCostsOneRequestAtDiscovery() {
    FakeL2 a = new FakeL2("a", 100);
    OutputChecker c = checker(0, a);
    c.precompute(70);
    int before = calls.get();
    assertThat(c.check(70, bytes(70, 9)).verdict()).isEqualTo(OutputChecker.Verdict.INVALID);
    assertThat(calls.get() - before).as("the block, to see it is the same one").isEqualTo(1);
  }

  /** An L2 node whose block at one height can be replaced (re-sequenced) by another. */
  static final class ResequencedL2 extends FakeL2 {
    final long height;
    int version;

    ResequencedL2(String name, long head, long height) {
      super(name, head);
      this.height = height;
    }

    @Override
    public Optional<L2Block> block(long n) {
      Optional<L2Block> b = super.block(n);
      if (n != height || version == 0 || b.isEmpty()) {
        return b;
      }
      return Optional.of(
          new L2Block(
              n, bytes(n, 40 + version), bytes(n - 1, 1), bytes(n, 50 + version), 1000 + n));
    }

    @Override
    public byte[] outputRoot(L2Block b) {
      return b.number() != height || version == 0 ? super.outputRoot(b) : rootOf(b);
    }

    static byte[] rootOf(L2Block b) {
      return OutputRoot.v0(b.stateRoot(), bytes(b.number(), 3), b.hash());
    }
  }

  @Test
  void aRootComputedAheadIsNotUsedOnceTheBlockWasReplaced() {
    // the devnet's chaos run: the root of L2 block 10 was computed ahead, then an L1 reorg removed
    // the block's commitment and the sequencer replaced the block; the proposer posted the root of
    // the new block 10, which is right, and must not be found INVALID from the old one
    ResequencedL2 a = new ResequencedL2("a", 12, 10);
    OutputChecker c = checker(0, a);
    c.precompute(10);
    assertThat(c.isPrecomputed(10)).isTrue();
    a.version = 1;
    byte[] posted = ResequencedL2.rootOf(a.block(10).orElseThrow());
    assertThat(posted).isNotEqualTo(trueRoot(10));
    OutputChecker.Check r = c.check(10, posted);
    assertThat(r.verdict()).isEqualTo(OutputChecker.Verdict.VALID);
    // and the root of the block it replaced is now the wrong one
    OutputChecker.Check old = c.check(10, trueRoot(10));
    assertThat(old.verdict()).isEqualTo(OutputChecker.Verdict.INVALID);
    assertThat(old.computed()).isEqualTo(posted);
  }

  @Test
  void aSourceReplacingTheBlockOfTwoMakesTheCheckComputeAgainFromBoth() {
    ResequencedL2 a = new ResequencedL2("a", 12, 10);
    ResequencedL2 b = new ResequencedL2("b", 12, 10);
    OutputChecker c = checker(0, a, b);
    c.precompute(10);
    b.version = 1; // b has the new block, a not yet: they disagree, no verdict
    OutputChecker.Check r = c.check(10, trueRoot(10));
    assertThat(r.verdict()).isEqualTo(OutputChecker.Verdict.ABSTAIN);
    assertThat(r.retryable()).isTrue();
    a.version = 1;
    byte[] posted = ResequencedL2.rootOf(a.block(10).orElseThrow());
    assertThat(c.check(10, posted).verdict()).isEqualTo(OutputChecker.Verdict.VALID);
  }

  @Test
  void aFailingSourceAtDiscoveryOfAPrecomputedRootAbstains() {
    java.util.concurrent.atomic.AtomicBoolean resets =
        new java.util.concurrent.atomic.AtomicBoolean();
    FakeL2 a =
        new FakeL2("a", 100) {
          @Override
          public Optional<L2Block> block(long n) {
            if (resets.get()) {
              throw new L2Exception("eth_getBlockByNumber failed: connection reset");
            }
            return super.block(n);
          }
        };
    OutputChecker c = checker(0, a);
    c.precompute(70);
    resets.set(true);
    OutputChecker.Check r = c.check(70, bytes(70, 9));
    assertThat(r.verdict()).isEqualTo(OutputChecker.Verdict.ABSTAIN);
    assertThat(r.retryable()).isTrue();
    resets.set(false);
    assertThat(c.check(70, bytes(70, 9)).verdict()).isEqualTo(OutputChecker.Verdict.INVALID);
  }

  @Test
  void aLaggingSourceAbstainsUntilTheBlockIsFinal() {
    FakeL2 a = new FakeL2("a", 40);
    OutputChecker c = checker(5, a);
    OutputChecker.Check early = c.check(40, bytes(40, 9));
    assertThat(early.verdict()).isEqualTo(OutputChecker.Verdict.ABSTAIN);
    assertThat(early.retryable()).isTrue();
    assertThat(early.reason()).contains("not final");
    a.head = 45;
    assertThat(c.check(40, bytes(40, 9)).verdict()).isEqualTo(OutputChecker.Verdict.INVALID);
  }

  @Test
  void aPrunedOrFailingSourceAbstains() {
    FakeL2 a = new FakeL2("a", 100);
    a.pruned = true;
    OutputChecker.Check p = checker(0, a).check(10, bytes(10, 9));
    assertThat(p.verdict()).isEqualTo(OutputChecker.Verdict.ABSTAIN);
    assertThat(p.reason()).contains("pruned");
    FakeL2 b = new FakeL2("b", 100);
    b.down = true;
    assertThat(checker(0, b).check(10, bytes(10, 9)).verdict())
        .isEqualTo(OutputChecker.Verdict.ABSTAIN);
  }

  @Test
  void aLyingSecondSourceCannotMakeAGoodOutputInvalid() {
    FakeL2 honest = new FakeL2("honest", 100);
    FakeL2 liar = new FakeL2("liar", 100);
    liar.lies.put(30L, bytes(30, 7));
    OutputChecker c = checker(0, honest, liar);
    OutputChecker.Check r = c.check(30, trueRoot(30));
    assertThat(r.verdict()).isEqualTo(OutputChecker.Verdict.ABSTAIN);
    assertThat(r.reason()).contains("disagree");
    // and it cannot vouch for a bad one either
    assertThat(c.check(30, bytes(30, 7)).verdict()).isEqualTo(OutputChecker.Verdict.ABSTAIN);
  }

  @Test
  void twoAgreeingSourcesDecide() {
    OutputChecker c = checker(0, new FakeL2("a", 100), new FakeL2("b", 100));
    assertThat(c.check(20, trueRoot(20)).verdict()).isEqualTo(OutputChecker.Verdict.VALID);
    OutputChecker.Check bad = c.check(21, bytes(21, 9));
    assertThat(bad.verdict()).isEqualTo(OutputChecker.Verdict.INVALID);
    assertThat(bad.reason()).contains("both L2 sources agree");
  }

  @Test
  void oneLaggingSourceOfTwoAbstains() {
    FakeL2 behind = new FakeL2("behind", 10);
    OutputChecker c = checker(0, new FakeL2("a", 100), behind);
    assertThat(c.check(20, bytes(20, 9)).verdict()).isEqualTo(OutputChecker.Verdict.ABSTAIN);
  }

  /**
   * A rollup sequenced by SQUAD: the L2 node has the block, but its slot's commitment is not in a
   * finalized L1 block yet, so it may still be re-sequenced. No verdict (and no request) until the
   * sequencers hold it final; then the usual check.
   */
  @Test
  void aBlockAboveWhatItsSequencersHoldFinalIsNotJudgedYet() {
    java.util.concurrent.atomic.AtomicLong sequencedFinal =
        new java.util.concurrent.atomic.AtomicLong(49);
    FakeL2 a = new FakeL2("a", 100);
    OutputChecker c = new OutputChecker(List.of(a), 0, System::nanoTime, sequencedFinal::get);
    OutputChecker.Check early = c.check(50, bytes(50, 9));
    assertThat(early.verdict()).isEqualTo(OutputChecker.Verdict.ABSTAIN);
    assertThat(early.retryable()).isTrue();
    assertThat(early.reason()).contains("not final by its sequencers yet (final up to block 49)");
    assertThat(calls.get()).as("no request for a block its sequencers may replace").isZero();

    sequencedFinal.set(50);
    assertThat(c.check(50, bytes(50, 9)).verdict()).isEqualTo(OutputChecker.Verdict.INVALID);
    assertThat(c.check(50, trueRoot(50)).verdict()).isEqualTo(OutputChecker.Verdict.VALID);
  }

  /**
   * A block its sequencers hold final is final by L1, whatever its depth on the L2 node: its root
   * is computed (ahead or at the check) without asking the L2 head, and the precompute makes no
   * request at all for a block above it.
   */
  @Test
  void aBlockItsSequencersHoldFinalCostsNoHeadRequest() {
    java.util.concurrent.atomic.AtomicLong sequencedFinal =
        new java.util.concurrent.atomic.AtomicLong(49);
    AtomicInteger heads = new AtomicInteger();
    FakeL2 a =
        new FakeL2("a", 52) {
          @Override
          public long blockNumber() {
            heads.incrementAndGet();
            return super.blockNumber();
          }
        };
    // a finality depth the L2 head does not give block 50: without its sequencers, no verdict
    OutputChecker byDepth = new OutputChecker(List.of(a), 10, System::nanoTime);
    assertThat(byDepth.check(50, trueRoot(50)).reason()).contains("is not final there yet");
    assertThat(heads.get()).isEqualTo(1);
    heads.set(0);
    calls.set(0);

    OutputChecker c = new OutputChecker(List.of(a), 10, System::nanoTime, sequencedFinal::get);
    c.precompute(50);
    assertThat(calls.get()).as("above the sequencers' final block: no request").isZero();
    assertThat(c.isPrecomputed(50)).isFalse();

    sequencedFinal.set(50);
    c.precompute(50);
    assertThat(c.isPrecomputed(50)).isTrue();
    assertThat(calls.get()).as("the block and its proof").isEqualTo(2);
    assertThat(c.check(50, trueRoot(50)).verdict()).isEqualTo(OutputChecker.Verdict.VALID);
    assertThat(calls.get()).as("the block again, to see it is the same one").isEqualTo(3);

    sequencedFinal.set(51);
    assertThat(c.check(51, bytes(51, 9)).verdict()).isEqualTo(OutputChecker.Verdict.INVALID);
    assertThat(calls.get()).as("a check not computed ahead: the block and its proof").isEqualTo(5);
    assertThat(heads.get()).as("the L2 head is never asked").isZero();
  }
}
