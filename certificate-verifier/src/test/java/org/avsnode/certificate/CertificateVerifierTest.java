package org.avsnode.certificate;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CertificateVerifierTest {
  private static final VerifierPolicy POLICY = VerifierPolicy.defaults();

  private static VerificationResult verify(Fixture f, Certificate c) {
    return CertificateVerifier.verify(c, f.snapshot, Fixture.DOMAIN, POLICY);
  }

  static Stream<Arguments> validSets() {
    List<Arguments> out = new ArrayList<>();
    out.add(Arguments.of(4, Fixture.range(0, 4)));
    out.add(Arguments.of(4, List.of(1, 2, 3)));
    out.add(Arguments.of(4, List.of(0, 2, 3)));
    out.add(Arguments.of(16, Fixture.range(0, 16)));
    out.add(Arguments.of(16, Fixture.range(5, 16)));
    out.add(Arguments.of(16, List.of(0, 3, 7, 8, 9, 10, 11, 12, 13, 14, 15)));
    out.add(Arguments.of(64, Fixture.range(0, 64)));
    out.add(Arguments.of(64, Fixture.range(20, 64)));
    Random r = new Random(7);
    List<Integer> sparse = new ArrayList<>(Fixture.range(30, 64));
    for (int i = 0; i < 30; i++) {
      if (r.nextBoolean()) {
        sparse.add(i);
      }
    }
    out.add(Arguments.of(64, sparse));
    return out.stream();
  }

  @ParameterizedTest(name = "{0} operators, signers {1}")
  @MethodSource("validSets")
  void honestCertificatesVerify(int n, List<Integer> signers) {
    Fixture f = Fixture.of(n);
    Certificate c = f.certify(Fixture.message(1234), signers, 6667);
    assertThat(verify(f, c).isValid()).as(verify(f, c).toString()).isTrue();
    // and after a JSON round trip
    assertThat(CertificateVerifier.verifyJson(c.toJson(), f.snapshot, Fixture.DOMAIN, POLICY))
        .matches(VerificationResult::isValid);
  }

  @Test
  void belowTwoThirdsIsInsufficient() {
    Fixture f = Fixture.of(4); // stakes 100, 200, 300, 400
    Certificate c = f.certify(Fixture.message(1), List.of(0, 1, 2), 6667); // 600 of 1000
    assertReason(f, c, RejectionReason.INSUFFICIENT_STAKE);
    // exactly at the threshold passes: 6000 bps policy, 600 of 1000
    Certificate exact = f.certify(Fixture.message(1), List.of(0, 1, 2), 6000);
    assertThat(
            CertificateVerifier.verify(
                exact, f.snapshot, Fixture.DOMAIN, VerifierPolicy.minimumThreshold(6000)))
        .matches(VerificationResult::isValid);
  }

  @Test
  void aCertificateCannotLowerTheBar() {
    Fixture f = Fixture.of(4);
    Certificate c = f.certify(Fixture.message(1), List.of(0, 1), 3000); // 300 of 1000, claims 30%
    assertReason(f, c, RejectionReason.THRESHOLD_BELOW_POLICY);
    assertReason(f, c.toBuilder().thresholdBps(0).build(), RejectionReason.THRESHOLD_OUT_OF_RANGE);
    assertReason(
        f, c.toBuilder().thresholdBps(10001).build(), RejectionReason.THRESHOLD_OUT_OF_RANGE);
  }

  @Test
  void raisingTheDeclaredThresholdAboveTheSignedStakeFails() {
    Fixture f = Fixture.of(4);
    Certificate c = f.certify(Fixture.message(1), List.of(1, 2, 3), 6667); // 900 of 1000
    assertReason(f, c.toBuilder().thresholdBps(9500).build(), RejectionReason.INSUFFICIENT_STAKE);
  }

  static Stream<Arguments> tamperings() {
    Fixture f = Fixture.of(16);
    List<Arguments> out = new ArrayList<>();
    out.add(
        t("version 2", c -> c.toBuilder().version(2).build(), RejectionReason.UNSUPPORTED_VERSION));
    out.add(
        t(
            "message type",
            c -> c.toBuilder().messageType("SlotAttestation").build(),
            RejectionReason.UNSUPPORTED_MESSAGE_TYPE));
    out.add(
        t(
            "digest bit",
            c -> c.toBuilder().digest(flip(c.digest(), 5)).build(),
            RejectionReason.DIGEST_MISMATCH));
    out.add(
        t(
            "block number",
            c ->
                c.toBuilder()
                    .message(
                        withHeight(
                            c.finalityAttestation(), c.finalityAttestation().l2BlockNumber() + 1))
                    .build(),
            RejectionReason.DIGEST_MISMATCH));
    out.add(
        t(
            "output root",
            c ->
                c.toBuilder()
                    .message(
                        new FinalityAttestation(
                            c.finalityAttestation().rollupId(),
                            c.finalityAttestation().l2BlockNumber(),
                            c.finalityAttestation().l2BlockHash(),
                            flip(c.finalityAttestation().outputRoot(), 0),
                            c.finalityAttestation().stakeEpoch()))
                    .build(),
            RejectionReason.DIGEST_MISMATCH));
    out.add(
        t(
            "rollup id",
            c ->
                c.toBuilder()
                    .message(
                        new FinalityAttestation(
                            43,
                            c.finalityAttestation().l2BlockNumber(),
                            c.finalityAttestation().l2BlockHash(),
                            c.finalityAttestation().outputRoot(),
                            c.finalityAttestation().stakeEpoch()))
                    .build(),
            RejectionReason.DIGEST_MISMATCH));
    out.add(
        t(
            "epoch with a consistent digest",
            c -> {
              FinalityAttestation m =
                  new FinalityAttestation(
                      c.finalityAttestation().rollupId(),
                      c.finalityAttestation().l2BlockNumber(),
                      c.finalityAttestation().l2BlockHash(),
                      c.finalityAttestation().outputRoot(),
                      c.finalityAttestation().stakeEpoch() + 1);
              return c.toBuilder().message(m).digest(m.digest(Fixture.DOMAIN)).build();
            },
            RejectionReason.STAKE_EPOCH_MISMATCH));
    out.add(
        t(
            "operator set id",
            c -> c.toBuilder().operatorSet(Fixture.AVS, 4).build(),
            RejectionReason.OPERATOR_SET_MISMATCH));
    out.add(
        t(
            "avs",
            c -> c.toBuilder().operatorSet(Fixture.address(0xCC, 1), 3).build(),
            RejectionReason.DOMAIN_MISMATCH));
    out.add(
        t(
            "bitmap: one byte short",
            c -> c.toBuilder().signers(new byte[] {c.signers()[0]}).build(),
            RejectionReason.BITMAP_LENGTH));
    out.add(
        t(
            "bitmap: one byte long",
            c -> c.toBuilder().signers(new byte[] {-1, -1, 0}).build(),
            RejectionReason.BITMAP_LENGTH));
    out.add(
        t(
            "bitmap: no signer",
            c -> c.toBuilder().signers(new byte[2]).build(),
            RejectionReason.NO_SIGNERS));
    out.add(
        t(
            "bitmap: a non-signer added, stake adjusted",
            c -> {
              List<Integer> s = new ArrayList<>(Fixture.range(4, 16));
              s.add(0);
              return c.toBuilder()
                  .signers(SignerBitmap.of(16, s))
                  .signedStake(f.stakeOf(s))
                  .build();
            },
            RejectionReason.INVALID_SIGNATURE));
    out.add(
        t(
            "bitmap: a signer removed, stake adjusted",
            c -> {
              List<Integer> s = Fixture.range(5, 16);
              return c.toBuilder()
                  .signers(SignerBitmap.of(16, s))
                  .signedStake(f.stakeOf(s))
                  .build();
            },
            RejectionReason.INVALID_SIGNATURE));
    out.add(
        t(
            "bitmap: a signer removed, stake kept",
            c -> c.toBuilder().signers(SignerBitmap.of(16, Fixture.range(5, 16))).build(),
            RejectionReason.SIGNED_STAKE_MISMATCH));
    out.add(
        t(
            "signed stake inflated",
            c -> c.toBuilder().signedStake(c.signedStake().add(BigInteger.ONE)).build(),
            RejectionReason.SIGNED_STAKE_MISMATCH));
    out.add(
        t(
            "total stake deflated",
            c -> c.toBuilder().totalStake(c.totalStake().subtract(BigInteger.TEN)).build(),
            RejectionReason.TOTAL_STAKE_MISMATCH));
    out.add(
        t(
            "signature bit",
            c -> {
              // keep both encodings consistent so the pairing check is what catches it
              BlsSignature other = f.keys.get(0).sign(c.digest());
              return c.toBuilder()
                  .aggregateSignature(other.toBytes())
                  .aggregateSignatureEip2537(other.toEip2537())
                  .build();
            },
            RejectionReason.INVALID_SIGNATURE));
    out.add(
        t(
            "compressed signature bit 200",
            c -> c.toBuilder().aggregateSignature(flip(c.aggregateSignature(), 200)).build(),
            null));
    out.add(
        t(
            "encodings swapped",
            c -> {
              BlsSignature other = f.keys.get(0).sign(c.digest());
              return c.toBuilder().aggregateSignatureEip2537(other.toEip2537()).build();
            },
            RejectionReason.SIGNATURE_ENCODINGS_DIFFER));
    out.add(
        t(
            "infinity",
            c -> {
              BlsSignature inf = BlsSignature.infinity();
              return c.toBuilder()
                  .aggregateSignature(inf.toBytes())
                  .aggregateSignatureEip2537(inf.toEip2537())
                  .build();
            },
            RejectionReason.MALFORMED_SIGNATURE));
    out.add(
        t(
            "EIP-2537 coordinate out of field",
            c -> {
              byte[] e = c.aggregateSignatureEip2537();
              e[0] = 1; // the 16 padding bytes must be zero
              return c.toBuilder().aggregateSignatureEip2537(e).build();
            },
            RejectionReason.MALFORMED_SIGNATURE));
    return out.stream();
  }

  private static Arguments t(
      String name, UnaryOperator<Certificate> tamper, RejectionReason expected) {
    return Arguments.of(name, tamper, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tamperings")
  void everyTamperingIsRejectedWithItsReason(
      String name, UnaryOperator<Certificate> tamper, RejectionReason expected) {
    Fixture f = Fixture.of(16);
    Certificate honest = f.certify(Fixture.message(99), Fixture.range(4, 16), 6667);
    assertThat(verify(f, honest).isValid()).isTrue();
    VerificationResult r = verify(f, tamper.apply(honest));
    assertThat(r.isValid()).as(name).isFalse();
    if (expected != null) {
      assertThat(r.reason()).as(r.toString()).contains(expected);
    } else {
      assertThat(r.reason().orElseThrow())
          .isIn(
              RejectionReason.MALFORMED_SIGNATURE,
              RejectionReason.SIGNATURE_ENCODINGS_DIFFER,
              RejectionReason.INVALID_SIGNATURE);
    }
    assertThat(r.detail()).isNotBlank();
  }

  @Test
  void wrongDomainIsADigestMismatch() {
    Fixture f = Fixture.of(4);
    Certificate c = f.certify(Fixture.message(5), Fixture.range(0, 4), 6667);
    Eip712Domain otherChain = Eip712Domain.avsNode(1, Fixture.AVS);
    assertThat(CertificateVerifier.verify(c, f.snapshot, otherChain, POLICY).reason())
        .contains(RejectionReason.DIGEST_MISMATCH);
  }

  @Test
  void snapshotAtAnotherEpochOrSetIsRejected() {
    Fixture f = Fixture.of(4);
    Certificate c = f.certify(Fixture.message(5), Fixture.range(0, 4), 6667);
    OperatorSetSnapshot otherEpoch =
        OperatorSetSnapshot.of(Fixture.AVS, 3, Fixture.EPOCH + 1, f.snapshot.operators());
    assertThat(CertificateVerifier.verify(c, otherEpoch, Fixture.DOMAIN, POLICY).reason())
        .contains(RejectionReason.STAKE_EPOCH_MISMATCH);
    OperatorSetSnapshot otherSet =
        OperatorSetSnapshot.of(Fixture.AVS, 9, Fixture.EPOCH, f.snapshot.operators());
    assertThat(CertificateVerifier.verify(c, otherSet, Fixture.DOMAIN, POLICY).reason())
        .contains(RejectionReason.OPERATOR_SET_MISMATCH);
  }

  @Test
  void inactiveOperatorsKeepTheirPositionButCannotSign() {
    Fixture f = Fixture.of(8, i -> i != 2);
    assertThat(f.snapshot.size()).isEqualTo(8);
    assertThat(f.snapshot.totalStake()).isEqualTo(BigInteger.valueOf(3600 - 300));
    Certificate ok = f.certify(Fixture.message(8), List.of(3, 4, 5, 6, 7), 6667);
    assertThat(verify(f, ok).isValid()).as(verify(f, ok).toString()).isTrue();
    Certificate withInactive = f.certify(Fixture.message(8), List.of(2, 3, 4, 5, 6, 7), 6667);
    assertReason(f, withInactive, RejectionReason.SIGNER_NOT_ACTIVE);
    assertThat(
            OperatorOrdering.nonSignerIndices(
                f.snapshot, SignerBitmap.of(8, List.of(3, 4, 5, 6, 7))))
        .containsExactly(0, 1);
  }

  @Test
  void strayBitBeyondTheSetIsRejected() {
    Fixture f = Fixture.of(4);
    Certificate c = f.certify(Fixture.message(5), Fixture.range(0, 4), 6667);
    byte[] b = c.signers();
    b[0] |= 0x10; // bit 4: there are only 4 operators
    assertReason(f, c.toBuilder().signers(b).build(), RejectionReason.BITMAP_STRAY_BITS);
  }

  @Test
  void emptyStakeSetIsRejected() {
    Fixture f = Fixture.of(2, i -> i == 0);
    OperatorSetSnapshot zero =
        OperatorSetSnapshot.of(
            Fixture.AVS,
            3,
            Fixture.EPOCH,
            List.of(
                new OperatorSetSnapshot.Operator(
                    0, Fixture.address(0x0B, 0), f.key(0), BigInteger.ZERO, true),
                f.snapshot.operator(1)));
    Certificate c = f.certify(Fixture.message(5), List.of(0), 6667);
    assertThat(CertificateVerifier.verify(c, zero, Fixture.DOMAIN, POLICY).reason())
        .contains(RejectionReason.EMPTY_OPERATOR_SET);
  }

  @Test
  void malformedJsonIsAReasonNotAnException() {
    Fixture f = Fixture.of(4);
    for (String bad : List.of("", "{", "[]", "null", "{\"version\":1}", "42")) {
      VerificationResult r =
          CertificateVerifier.verifyJson(bad, f.snapshot, Fixture.DOMAIN, POLICY);
      assertThat(r.reason()).as(bad).contains(RejectionReason.MALFORMED_CERTIFICATE);
    }
  }

  private static void assertReason(Fixture f, Certificate c, RejectionReason expected) {
    VerificationResult r = verify(f, c);
    assertThat(r.reason()).as(r.toString()).contains(expected);
  }

  static byte[] flip(byte[] b, int bit) {
    byte[] c = b.clone();
    c[bit / 8] ^= (byte) (1 << (bit % 8));
    return c;
  }

  private static FinalityAttestation withHeight(FinalityAttestation m, long h) {
    return new FinalityAttestation(
        m.rollupId(), h, m.l2BlockHash(), m.outputRoot(), m.stakeEpoch());
  }
}
