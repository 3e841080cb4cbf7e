package org.avsnode.vital;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import org.avsnode.bls.eip712.OutputVerdict;
import org.avsnode.operator.quorum.SignedMessage;
import org.junit.jupiter.api.Test;

/** Which kept verdicts a verified proof contradicts: only those, each once. */
class ZkEvidenceTest {

  private static byte[] b32(int v) {
    byte[] b = new byte[32];
    b[31] = (byte) v;
    return b;
  }

  private static byte[] operator(int i) {
    byte[] a = new byte[20];
    a[19] = (byte) i;
    return a;
  }

  private static ZkBatch batch(long index, long batchNumber, int root) {
    return new ZkBatch(
        batchNumber, BigInteger.valueOf(index), b32(1), b32(root), b32(3), b32(4), 5, 8);
  }

  private static SignedMessage<OutputVerdict> verdict(int op, long index, int root, boolean valid) {
    return new SignedMessage<>(
        new OutputVerdict(9, BigInteger.valueOf(index), b32(root), valid, 1),
        operator(op),
        new byte[96]);
  }

  @Test
  void onlyVerdictsTheProofContradictsAreCandidatesOnce() {
    ZkEvidence e = new ZkEvidence();
    ZkBatch replaced = batch(1, 1, 66); // a wrong root, withdrawn
    ZkBatch good = batch(2, 1, 77); // the same batch and blocks, committed again
    ZkBatch other = new ZkBatch(2, BigInteger.valueOf(3), b32(77), b32(88), b32(3), b32(4), 9, 12);
    e.offer(verdict(1, 2, 77, true), good); // right
    e.offer(verdict(2, 2, 77, false), good); // INVALID on the proven root: contradicted
    e.offer(verdict(3, 1, 66, true), replaced); // VALID on the replaced root: contradicted
    e.offer(verdict(4, 1, 66, false), replaced); // right
    e.offer(verdict(5, 3, 88, false), other); // another batch: not proven here
    assertThat(e.candidates()).isEmpty(); // nothing proven yet
    e.proven(9, good, List.of(BigInteger.ONE));
    List<ZkEvidence.Candidate> c = e.candidates();
    assertThat(c)
        .extracting(x -> x.verdict().operator()[19])
        .containsExactlyInAnyOrder((byte) 2, (byte) 3);
    assertThat(c).allMatch(x -> x.provenCommitment().equals(BigInteger.TWO));
    e.done(c.get(0));
    assertThat(e.candidates()).hasSize(1);
    // a proof of another rollup's commitment proves nothing here
    ZkEvidence f = new ZkEvidence();
    f.offer(verdict(2, 2, 77, false), good);
    f.proven(10, good, List.of(BigInteger.ONE));
    assertThat(f.candidates()).isEmpty();
  }
}
