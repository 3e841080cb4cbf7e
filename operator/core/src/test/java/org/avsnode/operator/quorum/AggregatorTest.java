package org.avsnode.operator.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.certificate.Certificate;
import org.avsnode.certificate.CertificateVerifier;
import org.avsnode.certificate.SignerBitmap;
import org.avsnode.certificate.VerificationResult;
import org.avsnode.certificate.VerifierPolicy;
import org.avsnode.operator.time.ManualTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AggregatorTest {
  private static final Duration WINDOW = Duration.ofMillis(300);

  private final ManualTime time = new ManualTime();
  private final Recorder recorder = new Recorder();
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  private Aggregator<FinalityAttestation> aggregator(Operators ops) {
    return aggregator(ops, AggregatorConfig.defaults());
  }

  private Aggregator<FinalityAttestation> aggregator(Operators ops, AggregatorConfig config) {
    return new Aggregator<>(ops.snapshot, Operators.DOMAIN, config, recorder, time, time, pool);
  }

  /** Every certificate the aggregator makes must pass the bridge's verifier. */
  private void assertVerifies(Operators ops, Certificate c) {
    VerificationResult r =
        CertificateVerifier.verify(c, ops.snapshot, Operators.DOMAIN, VerifierPolicy.defaults());
    assertThat(r.isValid()).as(r.toString()).isTrue();
  }

  private static Set<Integer> signers(Operators ops, Certificate c) {
    return Arrays.stream(SignerBitmap.fromBytes(c.signers(), ops.snapshot.size()).signers())
        .boxed()
        .collect(Collectors.toSet());
  }

  @Test
  void publishesAsSoonAsTwoThirdsOfTheStakeSigned() {
    Operators ops = Operators.equal(6);
    Aggregator<FinalityAttestation> agg = aggregator(ops);
    FinalityAttestation m = Operators.block(100);
    for (int i = 0; i < 4; i++) {
      assertThat(agg.submit(ops.sign(i, m)).isAccepted()).isTrue();
    }
    // 4 of 6 = 6666.7 bps < 6667: not yet
    assertThat(recorder.certificates).isEmpty();
    assertThat(agg.submit(ops.sign(4, m)).isAccepted()).isTrue();
    assertThat(recorder.certificates).hasSize(1);
    PublishedCertificate p = recorder.certificates.get(0);
    assertThat(p.improvement()).isFalse();
    assertThat(signers(ops, p.certificate())).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
    assertThat(p.certificate().signedStake()).isEqualTo(BigInteger.valueOf(5000));
    assertThat(p.certificate().totalStake()).isEqualTo(BigInteger.valueOf(6000));
    assertThat(p.certificate().finalityAttestation()).isEqualTo(m);
    assertVerifies(ops, p.certificate());
    assertThat(agg.certificateCount()).isEqualTo(1);
  }

  @Test
  void stakeWeightedNotCountWeighted() {
    // operator 0 holds 7000 of 10000
    Operators ops = Operators.of(4, i -> BigInteger.valueOf(i == 0 ? 7000 : 1000));
    Aggregator<FinalityAttestation> agg = aggregator(ops);
    FinalityAttestation m = Operators.block(7);
    agg.submit(ops.sign(1, m));
    agg.submit(ops.sign(2, m));
    agg.submit(ops.sign(3, m));
    assertThat(recorder.certificates).isEmpty();
    agg.submit(ops.sign(0, m));
    assertThat(recorder.certificates).hasSize(1);
    assertVerifies(ops, recorder.certificates.get(0).certificate());
  }

  @Test
  void offlineOperatorsAreNonSigners() {
    Operators ops = Operators.equal(10);
    Aggregator<FinalityAttestation> agg = aggregator(ops);
    FinalityAttestation m = Operators.block(5);
    for (int i = 3; i < 10; i++) {
      agg.submit(ops.sign(i, m)); // 0, 1, 2 offline
    }
    assertThat(recorder.certificates).hasSize(1);
    time.advance(WINDOW);
    assertThat(recorder.certificates).hasSize(1); // nothing new arrived: no improvement
    Certificate c = recorder.certificates.get(0).certificate();
    assertThat(signers(ops, c)).containsExactlyInAnyOrder(3, 4, 5, 6, 7, 8, 9);
    assertVerifies(ops, c);
  }

  @Test
  void invalidSignaturesAreFoundDroppedAndReported() {
    Operators ops = Operators.equal(10);
    Aggregator<FinalityAttestation> agg = aggregator(ops);
    FinalityAttestation m = Operators.block(9);
    for (int i = 0; i < 10; i++) {
      SignedMessage<FinalityAttestation> a = (i == 2 || i == 6) ? ops.forged(i, m) : ops.sign(i, m);
      assertThat(agg.submit(a).isAccepted()).isTrue(); // bad ones look fine until aggregated
    }
    assertThat(recorder.certificates).hasSize(1);
    Certificate c = recorder.certificates.get(0).certificate();
    assertThat(signers(ops, c)).doesNotContain(2, 6).hasSize(c.signedStake().intValue() / 1000);
    assertVerifies(ops, c);
    assertThat(recorder.rejections)
        .filteredOn(r -> r.reason() == RejectReason.BAD_SIGNATURE)
        .extracting(r -> (int) r.attestation().operator()[19])
        .containsExactlyInAnyOrder(2, 6);
    assertThat(agg.rejectedCount(RejectReason.BAD_SIGNATURE)).isEqualTo(2);
    time.advance(WINDOW);
    Certificate last = recorder.certificates.get(recorder.certificates.size() - 1).certificate();
    assertThat(signers(ops, last)).doesNotContain(2, 6);
    assertVerifies(ops, last);
  }

  /** An on-curve point outside G2, from the public deserialization vectors. */
  private static final String NOT_IN_G2 =
      "8123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
          + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
          + "0123456789abcdef0123456789abcdef";

  @Test
  void aSignatureOutsideG2PassesTheIntakeAndIsCaughtAtAggregation() {
    // the intake checks the curve only (the subgroup check is deferred to the aggregate)
    Operators ops = Operators.equal(4);
    Aggregator<FinalityAttestation> agg = aggregator(ops);
    FinalityAttestation m = Operators.block(11);
    byte[] offGroup = org.avsnode.bls.Hex.fromHex(NOT_IN_G2);
    SignedMessage<FinalityAttestation> bad =
        new SignedMessage<>(m, ops.sign(1, m).operator(), offGroup);
    assertThat(agg.submit(bad).isAccepted()).isTrue();
    assertThat(agg.submit(ops.sign(0, m)).isAccepted()).isTrue();
    assertThat(agg.submit(ops.sign(2, m)).isAccepted()).isTrue();
    assertThat(recorder.certificates).isEmpty(); // 3 of 4 admitted, one of them outside G2
    assertThat(recorder.reasons()).containsExactly(RejectReason.BAD_SIGNATURE);
    // its sender is a suspect now: its real vote is checked alone and counts
    assertThat(agg.submit(ops.sign(1, m)).isAccepted()).isTrue();
    assertThat(recorder.certificates).hasSize(1);
    Certificate c = recorder.certificates.get(0).certificate();
    assertThat(signers(ops, c)).containsExactlyInAnyOrder(0, 1, 2);
    assertVerifies(ops, c);
  }

  @Test
  void belowThresholdAfterDroppingBadOnesWaitsForMore() {
    Operators ops = Operators.equal(6);
    Aggregator<FinalityAttestation> agg = aggregator(ops);
    FinalityAttestation m = Operators.block(11);
    agg.submit(ops.sign(0, m));
    agg.submit(ops.sign(1, m));
    agg.submit(ops.sign(2, m));
    agg.submit(ops.forged(3, m));
    agg.submit(ops.sign(4, m)); // 5 of 6 claimed, 4 valid: 6666 bps, not enough
    assertThat(recorder.certificates).isEmpty();
    assertThat(recorder.reasons()).containsExactly(RejectReason.BAD_SIGNATURE);
    // operator 3 now sends its genuine vote: it is checked alone and then counted
    assertThat(agg.submit(ops.sign(3, m)).isAccepted()).isTrue();
    assertThat(recorder.certificates).hasSize(1);
    assertThat(signers(ops, recorder.certificates.get(0).certificate()))
        .containsExactlyInAnyOrder(0, 1, 2, 3, 4);
    assertVerifies(ops, recorder.certificates.get(0).certificate());
    // a suspect operator's bad retry is caught at intake, without a bisection
    FinalityAttestation m2 = Operators.block(12);
    agg.submit(ops.forged(5, m2));
    for (int i = 0; i < 4; i++) {
      agg.submit(ops.sign(i, m2));
    }
    assertThat(recorder.certificates).hasSize(1); // 4 valid of 6 again
    IntakeResult again = agg.submit(ops.forged(5, m2));
    assertThat(again.reason()).contains(RejectReason.BAD_SIGNATURE);
    assertThat(agg.submit(ops.sign(5, m2)).isAccepted()).isTrue();
    assertThat(recorder.certificates).hasSize(2);
    assertVerifies(ops, recorder.certificates.get(1).certificate());
  }

  @Test
  void aForgeryInAnOperatorsNameDoesNotBlockItsRealVote() {
    Operators ops = Operators.equal(4);
    Aggregator<FinalityAttestation> agg = aggregator(ops);
    FinalityAttestation m = Operators.block(21);
    assertThat(agg.submit(ops.forged(0, m)).isAccepted()).isTrue();
    assertThat(agg.submit(ops.sign(0, m)).isAccepted()).isTrue(); // replaces the forgery
    assertThat(recorder.reasons()).containsExactly(RejectReason.BAD_SIGNATURE);
    assertThat(agg.submit(ops.sign(0, m)).reason()).contains(RejectReason.DUPLICATE);
    agg.submit(ops.sign(1, m));
    agg.submit(ops.sign(2, m));
    assertThat(recorder.certificates).hasSize(1);
    assertThat(signers(ops, recorder.certificates.get(0).certificate())).contains(0);
    assertVerifies(ops, recorder.certificates.get(0).certificate());
  }

  @Test
  void windowImprovesTheNonSignerSet() {
    Operators ops = Operators.equal(10);
    Aggregator<FinalityAttestation> agg = aggregator(ops);
    FinalityAttestation m = Operators.block(33);
    for (int i = 0; i < 7; i++) {
      agg.submit(ops.sign(i, m));
    }
    assertThat(recorder.certificates).hasSize(1);
    time.advance(Duration.ofMillis(100));
    agg.submit(ops.sign(7, m));
    agg.submit(ops.sign(8, m));
    assertThat(recorder.certificates).hasSize(1); // still within the window
    time.advance(Duration.ofMillis(199));
    assertThat(recorder.certificates).hasSize(1);
    time.advance(Duration.ofMillis(1));
    assertThat(recorder.certificates).hasSize(2);
    PublishedCertificate improved = recorder.certificates.get(1);
    assertThat(improved.improvement()).isTrue();
    assertThat(signers(ops, improved.certificate())).hasSize(9);
    assertThat(improved.certificate().signedStake()).isEqualTo(BigInteger.valueOf(9000));
    assertThat(improved.latency()).isEqualTo(Duration.ofMillis(300));
    assertVerifies(ops, improved.certificate());
    assertVerifies(ops, recorder.certificates.get(0).certificate());
    // window closed: the straggler is stale, a repeat is a duplicate
    assertThat(agg.submit(ops.sign(9, m)).reason()).contains(RejectReason.STALE);
    assertThat(agg.submit(ops.sign(8, m)).reason()).contains(RejectReason.DUPLICATE);
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void zeroWindowPublishesOnce() {
    Operators ops = Operators.equal(3);
    Aggregator<FinalityAttestation> agg =
        aggregator(
            ops,
            AggregatorConfig.defaults().withThresholdBps(6000).withCollectionWindow(Duration.ZERO));
    FinalityAttestation m = Operators.block(1);
    agg.submit(ops.sign(0, m));
    agg.submit(ops.sign(1, m));
    assertThat(recorder.certificates).hasSize(1);
    assertThat(agg.submit(ops.sign(2, m)).reason()).contains(RejectReason.STALE);
    assertThat(time.pendingTasks()).isZero();
  }

  @Test
  void equivocationIsReportedOnceWithVerifiedEvidenceAndNotCounted() {
    Operators ops = Operators.equal(4);
    Aggregator<FinalityAttestation> agg = aggregator(ops);
    FinalityAttestation honest = Operators.block(50);
    FinalityAttestation fork = Operators.block(50, 1);
    assertThat(agg.submit(ops.sign(0, honest)).isAccepted()).isTrue();
    IntakeResult second = agg.submit(ops.sign(0, fork));
    assertThat(second.reason()).contains(RejectReason.EQUIVOCATION);
    assertThat(recorder.equivocations).hasSize(1);
    EquivocationEvidence<FinalityAttestation> e = recorder.equivocations.get(0);
    assertThat(e.position()).isZero();
    assertThat(e.operator()).isEqualTo(Operators.address(0x0B, 0));
    BlsPublicKey key = ops.snapshot.operator(0).publicKey();
    assertThat(
            Bls.verify(
                key,
                e.first().digest(Operators.DOMAIN),
                BlsSignature.fromBytes(e.firstSignature())))
        .isTrue();
    assertThat(
            Bls.verify(
                key,
                e.second().digest(Operators.DOMAIN),
                BlsSignature.fromBytes(e.secondSignature())))
        .isTrue();
    assertThat(e.first()).isEqualTo(honest);
    assertThat(e.second()).isEqualTo(fork);
    // again, either message: rejected, no second evidence
    assertThat(agg.submit(ops.sign(0, fork)).reason()).contains(RejectReason.EQUIVOCATION);
    assertThat(agg.submit(ops.sign(0, honest)).reason()).contains(RejectReason.EQUIVOCATION);
    assertThat(recorder.equivocations).hasSize(1);
    // its vote does not count: 1, 2, 3 certify without it
    agg.submit(ops.sign(1, honest));
    agg.submit(ops.sign(2, honest));
    assertThat(recorder.certificates).isEmpty(); // 2 of 4 without operator 0
    agg.submit(ops.sign(3, honest));
    assertThat(recorder.certificates).hasSize(1);
    assertThat(signers(ops, recorder.certificates.get(0).certificate()))
        .containsExactlyInAnyOrder(1, 2, 3);
    assertVerifies(ops, recorder.certificates.get(0).certificate());
    // other heights are unaffected
    assertThat(agg.submit(ops.sign(0, Operators.block(51))).isAccepted()).isTrue();
  }

  @Test
  void aConflictingForgeryIsNotEquivocation() {
    Operators ops = Operators.equal(4);
    Aggregator<FinalityAttestation> agg = aggregator(ops);
    FinalityAttestation honest = Operators.block(60);
    FinalityAttestation fork = Operators.block(60, 1);
    agg.submit(ops.sign(0, honest));
    assertThat(agg.submit(ops.forged(0, fork)).reason()).contains(RejectReason.BAD_SIGNATURE);
    // and a forged first vote followed by a real conflicting one: the forgery goes, no evidence
    agg.submit(ops.forged(1, fork));
    assertThat(agg.submit(ops.sign(1, honest)).isAccepted()).isTrue();
    assertThat(recorder.equivocations).isEmpty();
    agg.submit(ops.sign(2, honest));
    assertThat(recorder.certificates).hasSize(1);
    assertThat(signers(ops, recorder.certificates.get(0).certificate()))
        .containsExactlyInAnyOrder(0, 1, 2);
  }

  @Test
  void equivocationAfterTheWindowClosedIsStillCaught() {
    Operators ops = Operators.equal(3);
    Aggregator<FinalityAttestation> agg =
        aggregator(ops, AggregatorConfig.defaults().withThresholdBps(6000));
    FinalityAttestation m = Operators.block(70);
    agg.submit(ops.sign(0, m));
    agg.submit(ops.sign(1, m));
    assertThat(recorder.certificates).hasSize(1);
    time.advance(WINDOW);
    assertThat(agg.submit(ops.sign(1, Operators.block(70, 2))).reason())
        .contains(RejectReason.EQUIVOCATION);
    assertThat(recorder.equivocations).hasSize(1);
  }

  @Test
  void intakeRejectsWithReasons() {
    Operators ops = Operators.of(4, i -> i == 3 ? null : BigInteger.valueOf(1000));
    Aggregator<FinalityAttestation> agg = aggregator(ops);
    FinalityAttestation m = Operators.block(3);
    SignedMessage<FinalityAttestation> good = ops.sign(0, m);

    SignedMessage<FinalityAttestation> stranger =
        new SignedMessage<>(m, Operators.address(0x0C, 0), good.signature());
    assertThat(agg.submit(stranger).reason()).contains(RejectReason.UNKNOWN_OPERATOR);
    assertThat(agg.submit(ops.sign(3, m)).reason()).contains(RejectReason.INACTIVE_OPERATOR);
    FinalityAttestation otherEpoch =
        new FinalityAttestation(
            m.rollupId(), m.l2BlockNumber(), m.l2BlockHash(), m.outputRoot(), Operators.EPOCH + 1);
    assertThat(agg.submit(ops.sign(0, otherEpoch)).reason()).contains(RejectReason.WRONG_EPOCH);
    assertThat(agg.submit(new SignedMessage<>(m, good.operator(), new byte[95])).reason())
        .contains(RejectReason.MALFORMED_SIGNATURE);
    byte[] notOnCurve = good.signature();
    notOnCurve[50] ^= 0x55;
    assertThat(agg.submit(new SignedMessage<>(m, good.operator(), notOnCurve)).reason())
        .contains(RejectReason.MALFORMED_SIGNATURE);
    assertThat(
            agg.submit(new SignedMessage<>(m, good.operator(), BlsSignature.infinity().toBytes()))
                .reason())
        .contains(RejectReason.MALFORMED_SIGNATURE);
    assertThat(agg.submit(good).isAccepted()).isTrue();
    assertThat(agg.submit(good).reason()).contains(RejectReason.DUPLICATE);
    assertThat(recorder.reasons())
        .containsExactly(
            RejectReason.UNKNOWN_OPERATOR,
            RejectReason.INACTIVE_OPERATOR,
            RejectReason.WRONG_EPOCH,
            RejectReason.MALFORMED_SIGNATURE,
            RejectReason.MALFORMED_SIGNATURE,
            RejectReason.MALFORMED_SIGNATURE,
            RejectReason.DUPLICATE);
    assertThat(agg.rejectedCount(RejectReason.MALFORMED_SIGNATURE)).isEqualTo(3);
    assertThat(agg.acceptedCount()).isEqualTo(1);
    agg.close();
    assertThat(agg.submit(ops.sign(1, m)).reason()).contains(RejectReason.CLOSED);
  }

  @Test
  void heightsAreEvictedAndOldCertifiedHeightsBecomeStale() {
    Operators ops = Operators.equal(3);
    Aggregator<FinalityAttestation> agg =
        aggregator(
            ops, AggregatorConfig.defaults().withThresholdBps(6000).withMaxTrackedHeights(4));
    for (long h = 1; h <= 4; h++) {
      agg.submit(ops.sign(0, Operators.block(h)));
      agg.submit(ops.sign(1, Operators.block(h)));
    }
    time.advance(WINDOW);
    assertThat(recorder.certificates).hasSize(4);
    assertThat(agg.trackedHeights()).isEqualTo(4);
    agg.submit(ops.sign(0, Operators.block(5)));
    assertThat(agg.trackedHeights()).isEqualTo(4);
    // height 1 was evicted after certification: everything at or below it is stale now
    assertThat(agg.submit(ops.sign(2, Operators.block(1))).reason()).contains(RejectReason.STALE);
    assertThat(agg.submit(ops.sign(2, Operators.block(0))).reason()).contains(RejectReason.STALE);
    // uncertified heights fill the table too, and are evicted oldest-first without a watermark
    for (long h = 100; h < 110; h++) {
      agg.submit(ops.sign(0, Operators.block(h)));
    }
    assertThat(agg.trackedHeights()).isEqualTo(4);
    assertThat(agg.submit(ops.sign(0, Operators.block(100))).isAccepted()).isTrue();
  }

  @Test
  void pendingPerHeightIsBounded() {
    Operators ops = Operators.equal(6);
    Aggregator<FinalityAttestation> agg =
        aggregator(ops, AggregatorConfig.defaults().withMaxPendingPerHeight(2));
    FinalityAttestation m = Operators.block(8);
    agg.submit(ops.sign(0, m));
    agg.submit(ops.sign(1, m));
    assertThat(agg.submit(ops.sign(2, m)).reason()).contains(RejectReason.CAPACITY);
  }

  @Test
  void aThrowingListenerDoesNotBreakTheAggregator() {
    Operators ops = Operators.equal(3);
    AggregatorListener<FinalityAttestation> bad =
        new AggregatorListener<>() {
          @Override
          public void onCertificate(PublishedCertificate c) {
            recorder.onCertificate(c);
            throw new IllegalStateException("listener bug");
          }
        };
    Aggregator<FinalityAttestation> agg =
        new Aggregator<>(
            ops.snapshot,
            Operators.DOMAIN,
            AggregatorConfig.defaults().withThresholdBps(6000),
            bad,
            time,
            time,
            pool);
    FinalityAttestation m = Operators.block(2);
    agg.submit(ops.sign(0, m));
    assertThat(agg.submit(ops.sign(1, m)).isAccepted()).isTrue();
    assertThat(recorder.certificates).hasSize(1);
    assertThat(agg.submit(ops.sign(0, Operators.block(3))).isAccepted()).isTrue();
  }

  @Test
  void concurrentIntakeOnAPoolAgreesWithTheVerifier() {
    Operators ops = Operators.equal(16);
    Aggregator<FinalityAttestation> agg = aggregator(ops);
    List<SignedMessage<FinalityAttestation>> all =
        IntStream.range(0, 20)
            .boxed()
            .flatMap(h -> IntStream.range(0, 16).mapToObj(i -> ops.sign(i, Operators.block(h))))
            .toList();
    CompletableFuture.allOf(all.stream().map(agg::submitAsync).toArray(CompletableFuture[]::new))
        .join();
    assertThat(agg.acceptedCount()).isEqualTo(all.size());
    time.advance(WINDOW);
    assertThat(recorder.certificates.stream().filter(p -> !p.improvement()).count()).isEqualTo(20);
    for (PublishedCertificate p : recorder.certificates) {
      assertVerifies(ops, p.certificate());
    }
    // after the window every height's final certificate carries all 16 signers
    for (long h = 0; h < 20; h++) {
      long height = h;
      PublishedCertificate last =
          recorder.certificates.stream()
              .filter(p -> p.certificate().finalityAttestation().l2BlockNumber() == height)
              .reduce((a, b) -> b)
              .orElseThrow();
      assertThat(signers(ops, last.certificate())).hasSize(16);
    }
  }

  @Test
  void submitAsyncOnAStoppedExecutorIsARejectionNotAnException() {
    Operators ops = Operators.equal(3);
    Aggregator<FinalityAttestation> agg = aggregator(ops);
    pool.shutdownNow();
    IntakeResult r = agg.submitAsync(ops.sign(0, Operators.block(1))).join();
    assertThat(r.reason()).contains(RejectReason.CLOSED);
    assertThat(recorder.reasons()).containsExactly(RejectReason.CLOSED);
  }

  @Test
  void concurrentIntakeWithEquivocatorsNeverCountsThemInTheFinalCertificate() {
    Operators ops = Operators.equal(16);
    Aggregator<FinalityAttestation> agg = aggregator(ops);
    List<SignedMessage<FinalityAttestation>> all = new java.util.ArrayList<>();
    for (long h = 0; h < 10; h++) {
      for (int i = 0; i < 16; i++) {
        all.add(ops.sign(i, Operators.block(h)));
      }
      all.add(ops.sign(0, Operators.block(h, 1)));
      all.add(ops.sign(1, Operators.block(h, 2)));
    }
    java.util.Collections.shuffle(all, new java.util.Random(3));
    CompletableFuture.allOf(all.stream().map(agg::submitAsync).toArray(CompletableFuture[]::new))
        .join();
    time.advance(WINDOW);
    assertThat(recorder.equivocations).hasSize(20);
    for (PublishedCertificate p : recorder.certificates) {
      assertVerifies(ops, p.certificate());
    }
    for (long h = 0; h < 10; h++) {
      long height = h;
      List<PublishedCertificate> forHeight =
          recorder.certificates.stream()
              .filter(p -> p.certificate().finalityAttestation().l2BlockNumber() == height)
              .toList();
      assertThat(forHeight).isNotEmpty();
      Set<Integer> finalSigners = signers(ops, forHeight.get(forHeight.size() - 1).certificate());
      assertThat(finalSigners).doesNotContain(0, 1).hasSize(14);
    }
  }
}
