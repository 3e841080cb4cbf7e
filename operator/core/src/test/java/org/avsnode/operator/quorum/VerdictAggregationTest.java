package org.avsnode.operator.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.avsnode.bls.eip712.OutputVerdict;
import org.avsnode.bls.eip712.SlotAttestation;
import org.avsnode.certificate.CertificateVerifier;
import org.avsnode.certificate.VerifierPolicy;
import org.avsnode.operator.time.ManualTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one aggregator certifies verdicts and slot attestations the way it certifies finality. */
class VerdictAggregationTest {
  private final ManualTime time = new ManualTime();
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  static final class Seen<M extends org.avsnode.bls.eip712.TypedMessage>
      implements AggregatorListener<M> {
    final List<PublishedCertificate> certificates = Collections.synchronizedList(new ArrayList<>());
    final List<EquivocationEvidence<M>> equivocations =
        Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onCertificate(PublishedCertificate c) {
      certificates.add(c);
    }

    @Override
    public void onEquivocation(EquivocationEvidence<M> e) {
      equivocations.add(e);
    }
  }

  private static byte[] root(int v) {
    byte[] b = new byte[32];
    b[31] = (byte) v;
    return b;
  }

  @Test
  void anInvalidVerdictQuorumBecomesAVerdictCertificate() {
    Operators ops = Operators.equal(4);
    Seen<OutputVerdict> seen = new Seen<>();
    Aggregator<OutputVerdict> agg =
        new Aggregator<>(
            ops.snapshot,
            Operators.DOMAIN,
            AggregatorConfig.defaults().withCollectionWindow(Duration.ZERO),
            seen,
            time,
            time,
            pool);
    OutputVerdict bad =
        new OutputVerdict(Operators.ROLLUP, BigInteger.valueOf(7), root(1), false, Operators.EPOCH);
    for (int i = 0; i < 3; i++) {
      assertThat(agg.submit(ops.signAny(i, bad)).isAccepted()).isTrue();
    }
    assertThat(seen.certificates).hasSize(1);
    var c = seen.certificates.get(0).certificate();
    assertThat(c.messageType()).isEqualTo("OutputVerdict");
    assertThat(c.message()).isEqualTo(bad);
    VerifierPolicy verdicts = VerifierPolicy.defaults().withMessageTypes("OutputVerdict");
    assertThat(CertificateVerifier.verify(c, ops.snapshot, Operators.DOMAIN, verdicts).isValid())
        .isTrue();
    // a finality verifier does not take it for finality
    assertThat(
            CertificateVerifier.verify(c, ops.snapshot, Operators.DOMAIN, VerifierPolicy.defaults())
                .isValid())
        .isFalse();
  }

  @Test
  void oppositeVerdictsOnOneOutputAreEquivocationButAnotherRootIsAnotherOutput() {
    Operators ops = Operators.equal(4);
    Seen<OutputVerdict> seen = new Seen<>();
    Aggregator<OutputVerdict> agg =
        new Aggregator<>(
            ops.snapshot, Operators.DOMAIN, AggregatorConfig.defaults(), seen, time, time, pool);
    BigInteger index = BigInteger.valueOf(9);
    OutputVerdict valid =
        new OutputVerdict(Operators.ROLLUP, index, root(1), true, Operators.EPOCH);
    OutputVerdict invalid =
        new OutputVerdict(Operators.ROLLUP, index, root(1), false, Operators.EPOCH);
    OutputVerdict otherRoot =
        new OutputVerdict(Operators.ROLLUP, index, root(2), false, Operators.EPOCH);
    assertThat(agg.submit(ops.signAny(0, valid)).isAccepted()).isTrue();
    // a verdict on another root claimed for the same index is a separate output
    assertThat(agg.submit(ops.signAny(0, otherRoot)).isAccepted()).isTrue();
    assertThat(seen.equivocations).isEmpty();
    assertThat(agg.submit(ops.signAny(0, invalid)).reason()).contains(RejectReason.EQUIVOCATION);
    assertThat(seen.equivocations).hasSize(1);
    EquivocationEvidence<OutputVerdict> e = seen.equivocations.get(0);
    assertThat(e.first().valid()).isNotEqualTo(e.second().valid());
    assertThat(e.first().outputRoot()).isEqualTo(e.second().outputRoot());
  }

  @Test
  void withdrawingAnUncertifiedOutputForgetsItsVerdictsButACertifiedOneStays() {
    Operators ops = Operators.equal(4);
    Seen<OutputVerdict> seen = new Seen<>();
    Aggregator<OutputVerdict> agg =
        new Aggregator<>(
            ops.snapshot,
            Operators.DOMAIN,
            AggregatorConfig.defaults().withCollectionWindow(Duration.ZERO),
            seen,
            time,
            time,
            pool);
    OutputVerdict reorged =
        new OutputVerdict(Operators.ROLLUP, BigInteger.TWO, root(4), false, Operators.EPOCH);
    assertThat(agg.submit(ops.signAny(0, reorged)).isAccepted()).isTrue();
    assertThat(agg.submit(ops.signAny(1, reorged)).isAccepted()).isTrue();
    // the scope is (rollup, index, root): the verdict's value does not matter for withdrawing
    OutputVerdict sameScope =
        new OutputVerdict(Operators.ROLLUP, BigInteger.TWO, root(4), true, Operators.EPOCH);
    assertThat(agg.withdraw(sameScope)).isEqualTo(2);
    assertThat(agg.trackedHeights()).isZero();
    // the two withdrawn votes no longer count: a third alone is below the threshold
    assertThat(agg.submit(ops.signAny(2, reorged)).isAccepted()).isTrue();
    assertThat(seen.certificates).isEmpty();
    // sent again (the proposal came back), they are admitted afresh and certify
    assertThat(agg.submit(ops.signAny(0, reorged)).isAccepted()).isTrue();
    assertThat(agg.submit(ops.signAny(1, reorged)).isAccepted()).isTrue();
    assertThat(seen.certificates).hasSize(1);
    // a certified output is not withdrawn
    assertThat(agg.withdraw(reorged)).isZero();
    assertThat(agg.trackedHeights()).isEqualTo(1);
    // an unknown scope withdraws nothing
    assertThat(
            agg.withdraw(
                new OutputVerdict(
                    Operators.ROLLUP, BigInteger.TEN, root(4), false, Operators.EPOCH)))
        .isZero();
  }

  @Test
  void slotAttestationsAndWrongEpochs() {
    Operators ops = Operators.equal(3);
    Seen<SlotAttestation> seen = new Seen<>();
    Aggregator<SlotAttestation> agg =
        new Aggregator<>(
            ops.snapshot,
            Operators.DOMAIN,
            AggregatorConfig.defaults().withCollectionWindow(Duration.ZERO),
            seen,
            time,
            time,
            pool);
    SlotAttestation a = new SlotAttestation(Operators.ROLLUP, 5, root(3), Operators.EPOCH);
    SlotAttestation stale = new SlotAttestation(Operators.ROLLUP, 5, root(3), Operators.EPOCH + 1);
    assertThat(agg.submit(ops.signAny(0, stale)).reason()).contains(RejectReason.WRONG_EPOCH);
    for (int i = 0; i < 3; i++) {
      agg.submit(ops.signAny(i, a));
    }
    assertThat(seen.certificates).hasSize(1);
    assertThat(seen.certificates.get(0).certificate().height()).isEqualTo(BigInteger.valueOf(5));
  }
}
