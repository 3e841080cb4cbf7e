package org.avsnode.vital;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.avsnode.operator.chain.LogSubscription;
import org.avsnode.operator.l2.L2Block;
import org.avsnode.operator.l2.L2Client;
import org.avsnode.operator.l2.L2Exception;
import org.junit.jupiter.api.Test;

/**
 * A validity rollup's commitment is VALID only when a proof verifies with the public inputs the
 * node rebuilt from its own L2; INVALID only when the committed state root is not its own
 * execution's; everything else abstains, with a reason.
 */
class ZkBatchCheckerTest {

  private static byte[] word(long n, int tag) {
    byte[] b = new byte[32];
    b[0] = (byte) tag;
    for (int i = 0; i < 8; i++) {
      b[31 - i] = (byte) (n >>> (8 * i));
    }
    return b;
  }

  /** An L2 whose block n has state root word(n, 2), hash word(n, 1) and n transactions. */
  static final class FakeL2 implements ZkBatchChecker.Source {
    final String name;
    long head;
    boolean down;
    final Map<Long, byte[]> lyingRoots = new HashMap<>();
    int requests;

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
      requests++;
      if (down) {
        throw new L2Exception("eth_blockNumber to " + name + " failed: connection refused");
      }
      return head;
    }

    @Override
    public Optional<L2Client.BlockTransactions> blockTransactions(long n) {
      requests++;
      if (down) {
        throw new L2Exception("eth_getBlockByNumber to " + name + " failed");
      }
      if (n > head) {
        return Optional.empty();
      }
      List<byte[]> txs = new ArrayList<>();
      for (int i = 0; i < n % 4; i++) {
        txs.add(word(n * 10 + i, 3));
      }
      byte[] root = lyingRoots.getOrDefault(n, word(n, 2));
      return Optional.of(
          new L2Client.BlockTransactions(
              new L2Block(n, word(n, 1), word(Math.max(0, n - 1), 1), root, 1000 + n), txs));
    }
  }

  /** A verifier that accepts exactly one (proof, inputs) pair. */
  static final class FakeVerifier implements ZkBatchChecker.Verifier {
    List<BigInteger> goodProof;
    List<BigInteger> goodInputs;
    boolean down;
    final List<List<BigInteger>> inputsSeen = new ArrayList<>();

    @Override
    public ZkBatchChecker.Answer verify(List<BigInteger> proof, List<BigInteger> inputs) {
      inputsSeen.add(inputs);
      if (down) {
        return new ZkBatchChecker.Answer(ZkBatchChecker.Outcome.UNREACHABLE, "connection refused");
      }
      boolean ok = proof.equals(goodProof) && inputs.equals(goodInputs);
      return new ZkBatchChecker.Answer(
          ok ? ZkBatchChecker.Outcome.VERIFIES : ZkBatchChecker.Outcome.REJECTED,
          ok ? "true" : "the verifier said false");
    }
  }

  /** The honest commitment of blocks first..last, as the node's L2 sees them. */
  private static ZkBatch honest(long index, long first, long last) {
    List<byte[]> txs = new ArrayList<>();
    for (long n = first; n <= last; n++) {
      for (int i = 0; i < n % 4; i++) {
        txs.add(word(n * 10 + i, 3));
      }
    }
    return new ZkBatch(
        index,
        BigInteger.valueOf(index),
        word(first - 1, 2),
        word(last, 2),
        word(last, 1),
        ZkPublicInputs.txCommitment(txs),
        first,
        last);
  }

  private static ZkBatch withRoot(ZkBatch b, byte[] root) {
    return new ZkBatch(
        b.batchNumber(),
        b.commitmentIndex(),
        b.prevStateRoot(),
        root,
        b.lastBlockHash(),
        b.txCommitment(),
        b.firstBlock(),
        b.lastBlock());
  }

  private static ZkBatch.Proof proof(long index, long seed, long l1Block) {
    List<BigInteger> w = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      w.add(BigInteger.valueOf(seed * 100 + i));
    }
    return new ZkBatch.Proof(BigInteger.valueOf(index), w, "log-" + seed, l1Block);
  }

  private final List<ZkBatchChecker.Answer> answers = new ArrayList<>();

  private ZkBatchChecker checker(FakeVerifier v, ZkBatchChecker.Source... sources) {
    return new ZkBatchChecker(List.of(sources), 0, 64, v, answers::add);
  }

  @Test
  void publicInputsAreTheHighAndLowLimbsOfEachValue() {
    byte[] v = new byte[32];
    v[0] = 1; // 2^248
    v[31] = 7;
    List<BigInteger> limbs = ZkPublicInputs.limbs(v, new byte[32], v, new byte[32]);
    assertThat(limbs)
        .containsExactly(
            BigInteger.ONE.shiftLeft(120),
            BigInteger.valueOf(7),
            BigInteger.ZERO,
            BigInteger.ZERO,
            BigInteger.ONE.shiftLeft(120),
            BigInteger.valueOf(7),
            BigInteger.ZERO,
            BigInteger.ZERO);
    assertThatThrownBy(() -> ZkPublicInputs.limbs(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class);
    // keccak256 of no transactions is keccak256 of the empty string
    assertThat(HexFormat.of().formatHex(ZkPublicInputs.txCommitment(List.of())))
        .isEqualTo("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  }

  @Test
  void validOnlyWhenAProofVerifiesWithTheInputsTheNodeRebuilt() {
    FakeL2 l2 = new FakeL2("l2", 20);
    FakeVerifier v = new FakeVerifier();
    ZkBatch b = honest(1, 1, 6);
    ZkBatch.Proof good = proof(1, 1, 100);
    v.goodProof = good.words();
    v.goodInputs = ZkPublicInputs.limbs(word(0, 2), word(6, 2), word(6, 1), b.txCommitment());
    ZkBatchChecker c = checker(v, l2);

    OutputChecker.Check none = c.check(b, List.of(), false);
    assertThat(none.verdict()).isEqualTo(OutputChecker.Verdict.ABSTAIN);
    assertThat(none.retryable()).isTrue();
    assertThat(none.reason()).contains("no proof published yet");

    ZkBatch.Proof bad = proof(1, 2, 101);
    OutputChecker.Check rejected = c.check(b, List.of(bad), false);
    assertThat(rejected.verdict()).isEqualTo(OutputChecker.Verdict.ABSTAIN);
    assertThat(rejected.retryable()).isTrue();
    assertThat(rejected.reason()).contains("does not verify with the public inputs");
    // a rejected proof is not asked about again
    int calls = v.inputsSeen.size();
    OutputChecker.Check valid = c.check(b, List.of(bad, good), false);
    assertThat(v.inputsSeen).hasSize(calls + 1);
    assertThat(valid.verdict()).isEqualTo(OutputChecker.Verdict.VALID);
    assertThat(v.inputsSeen).allMatch(i -> i.equals(v.goodInputs));
    assertThat(answers)
        .extracting(ZkBatchChecker.Answer::outcome)
        .containsExactly(ZkBatchChecker.Outcome.REJECTED, ZkBatchChecker.Outcome.VERIFIES);
  }

  @Test
  void invalidOnlyWhenTheCommittedRootIsNotTheNodesExecution() {
    FakeL2 l2 = new FakeL2("l2", 20);
    FakeVerifier v = new FakeVerifier();
    ZkBatch wrong = withRoot(honest(2, 7, 9), word(99, 9));
    OutputChecker.Check c = checker(v, l2).check(wrong, List.of(), false);
    assertThat(c.verdict()).isEqualTo(OutputChecker.Verdict.INVALID);
    assertThat(c.reason()).contains("this node's execution").contains("L2 block 9");
    // no proof is needed for it, and none is asked about
    assertThat(v.inputsSeen).isEmpty();
  }

  @Test
  void aCommitmentBindingSomethingElseAbstainsForGood() {
    FakeL2 l2 = new FakeL2("l2", 20);
    ZkBatch h = honest(3, 4, 5);
    ZkBatch otherTxs =
        new ZkBatch(
            3,
            BigInteger.valueOf(3),
            h.prevStateRoot(),
            h.newStateRoot(),
            h.lastBlockHash(),
            word(1, 7),
            4,
            5);
    OutputChecker.Check c = checker(new FakeVerifier(), l2).check(otherTxs, List.of(), false);
    assertThat(c.verdict()).isEqualTo(OutputChecker.Verdict.ABSTAIN);
    assertThat(c.retryable()).isFalse();
    assertThat(c.reason()).contains("a transactions commitment");
  }

  @Test
  void laggingFailingOrDisagreeingSourcesNeverGiveAVerdict() {
    FakeVerifier v = new FakeVerifier();
    ZkBatch b = honest(1, 1, 6);
    FakeL2 lagging = new FakeL2("lagging", 5);
    OutputChecker.Check c = checker(v, lagging).check(b, List.of(proof(1, 1, 1)), false);
    assertThat(c.verdict()).isEqualTo(OutputChecker.Verdict.ABSTAIN);
    assertThat(c.retryable()).isTrue();
    assertThat(c.reason()).contains("not final there yet");

    FakeL2 down = new FakeL2("down", 20);
    down.down = true;
    c = checker(v, down).check(b, List.of(), false);
    assertThat(c.verdict()).isEqualTo(OutputChecker.Verdict.ABSTAIN);
    assertThat(c.retryable()).isTrue();

    FakeL2 a = new FakeL2("a", 20);
    FakeL2 liar = new FakeL2("liar", 20);
    liar.lyingRoots.put(6L, word(6, 9));
    // the liar alone would make the honest commitment look INVALID: with two sources it abstains
    c = checker(v, a, liar).check(b, List.of(), false);
    assertThat(c.verdict()).isEqualTo(OutputChecker.Verdict.ABSTAIN);
    assertThat(c.reason()).contains("disagree");
    assertThat(checker(v, liar).check(b, List.of(), false).verdict())
        .isEqualTo(OutputChecker.Verdict.INVALID);
    assertThat(v.inputsSeen).isEmpty();
  }

  @Test
  void anUnreachableVerifierIsRetriedAndAMissingProofEndsAtTheDeadline() {
    FakeL2 l2 = new FakeL2("l2", 20);
    FakeVerifier v = new FakeVerifier();
    v.down = true;
    ZkBatch b = honest(1, 1, 3);
    OutputChecker.Check c = checker(v, l2).check(b, List.of(proof(1, 1, 1)), true);
    assertThat(c.verdict()).isEqualTo(OutputChecker.Verdict.ABSTAIN);
    assertThat(c.retryable()).isTrue();
    assertThat(c.reason()).contains("could not be reached");
    c = checker(v, l2).check(b, List.of(), true);
    assertThat(c.retryable()).isFalse();
    assertThat(c.reason()).contains("no valid proof before the deadline");
  }

  @Test
  void aBatchOfTooManyBlocksIsNotRead() {
    FakeL2 l2 = new FakeL2("l2", 1_000_000);
    OutputChecker.Check c =
        checker(new FakeVerifier(), l2).check(honest(1, 1, 10_000), List.of(), false);
    assertThat(c.verdict()).isEqualTo(OutputChecker.Verdict.ABSTAIN);
    assertThat(c.retryable()).isFalse();
    assertThat(l2.requests).isZero();
  }

  private static String hex(byte[] b) {
    return "0x" + HexFormat.of().formatHex(b);
  }

  private static LogSubscription.LogEvent log(List<String> topics, String data) {
    return new LogSubscription.LogEvent("0xabc", topics, data, 10, "0x" + "11".repeat(32), "0x", 0);
  }

  @Test
  void logsAreDecodedAndHostileOnesRefused() {
    ZkBatch h = honest(5, 11, 14);
    String data =
        "0x"
            + HexFormat.of().formatHex(h.prevStateRoot())
            + HexFormat.of().formatHex(h.lastBlockHash())
            + HexFormat.of().formatHex(h.txCommitment())
            + HexFormat.of().formatHex(word(11, 0))
            + HexFormat.of().formatHex(word(14, 0));
    List<String> topics =
        List.of(
            VitalContracts.BATCH_COMMITTED_TOPIC,
            hex(word(5, 0)),
            hex(word(5, 0)),
            hex(h.newStateRoot()));
    ZkBatch d = ZkBatch.fromLog(log(topics, data));
    assertThat(d.batchNumber()).isEqualTo(5);
    assertThat(d.commitmentIndex()).isEqualTo(BigInteger.valueOf(5));
    assertThat(d.firstBlock()).isEqualTo(11);
    assertThat(d.lastBlock()).isEqualTo(14);
    assertThat(d.newStateRoot()).isEqualTo(h.newStateRoot());
    assertThat(d.txCommitment()).isEqualTo(h.txCommitment());
    // short data, a missing topic, blocks out of order, a block number out of range
    assertThatThrownBy(() -> ZkBatch.fromLog(log(topics, data.substring(0, data.length() - 2))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ZkBatch.fromLog(log(topics.subList(0, 3), data)))
        .isInstanceOf(IllegalArgumentException.class);
    String reversed =
        data.substring(0, 2 + 64 * 3)
            + HexFormat.of().formatHex(word(14, 0))
            + HexFormat.of().formatHex(word(11, 0));
    assertThatThrownBy(() -> ZkBatch.fromLog(log(topics, reversed)))
        .isInstanceOf(IllegalArgumentException.class);
    String huge = data.substring(0, 2 + 64 * 4) + "ff".repeat(32);
    assertThatThrownBy(() -> ZkBatch.fromLog(log(topics, huge)))
        .isInstanceOf(IllegalArgumentException.class);

    StringBuilder proofData = new StringBuilder("0x");
    for (int i = 0; i < 8; i++) {
      proofData.append(HexFormat.of().formatHex(word(i + 1, 0)));
    }
    List<String> pt =
        List.of(VitalContracts.PROOF_SUBMITTED_TOPIC, hex(word(5, 0)), hex(word(5, 0)));
    ZkBatch.Proof p = ZkBatch.proofFromLog(log(pt, proofData.toString()));
    assertThat(p.commitmentIndex()).isEqualTo(BigInteger.valueOf(5));
    assertThat(p.words()).hasSize(8).startsWith(BigInteger.ONE);
    assertThatThrownBy(() -> ZkBatch.proofFromLog(log(pt, "0x1234")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                ZkBatch.proofFromLog(
                    log(List.of(pt.get(0), pt.get(1), hex(new byte[32])), proofData.toString())))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
