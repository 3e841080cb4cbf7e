package org.avsnode.certificate;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.avsnode.bls.eip712.FinalityAttestation;

class CertificatePropertiesTest {
  private static final Fixture F = Fixture.of(16);
  private static final Certificate HONEST =
      F.certify(Fixture.message(777), Fixture.range(3, 16), 6667);

  @Provide
  Arbitrary<Certificate> certificates() {
    Arbitrary<byte[]> b32 = Arbitraries.bytes().array(byte[].class).ofSize(32);
    Arbitrary<FinalityAttestation> msg =
        Combinators.combine(
                Arbitraries.longs().greaterOrEqual(0),
                Arbitraries.longs().greaterOrEqual(0),
                b32,
                b32,
                Arbitraries.longs().between(0, 0xffffffffL))
            .as(FinalityAttestation::new);
    Arbitrary<BigInteger> stake =
        Arbitraries.bigIntegers()
            .between(BigInteger.ZERO, BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE));
    Arbitrary<Certificate.Builder> head =
        Combinators.combine(
                msg,
                b32,
                Arbitraries.bytes().array(byte[].class).ofSize(20),
                Arbitraries.longs().between(0, 0xffffffffL),
                Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(40))
            .as(
                (m, d, avs, id, signers) ->
                    Certificate.builder()
                        .message(m)
                        .digest(d)
                        .operatorSet(avs, id)
                        .signers(signers));
    return Combinators.combine(
            head,
            stake,
            stake,
            Arbitraries.integers().between(0, 65535),
            Arbitraries.bytes().array(byte[].class).ofSize(96),
            Arbitraries.bytes().array(byte[].class).ofSize(256))
        .as(
            (b, s, t, bps, sig, sigE) ->
                b.signedStake(s)
                    .totalStake(t)
                    .thresholdBps(bps)
                    .aggregateSignature(sig)
                    .aggregateSignatureEip2537(sigE)
                    .build());
  }

  @Property(tries = 300)
  void jsonRoundTrip(@ForAll("certificates") Certificate c) throws FormatException {
    assertThat(Certificate.fromJson(c.toJson())).isEqualTo(c);
  }

  @Property(tries = 300)
  void anySignatureBitFlipIsRejected(@ForAll @IntRange(min = 0, max = 96 * 8 - 1) int bit) {
    Certificate c =
        HONEST.toBuilder()
            .aggregateSignature(CertificateVerifierTest.flip(HONEST.aggregateSignature(), bit))
            .build();
    assertThat(verify(c).isValid()).isFalse();
  }

  @Property(tries = 300)
  void anyEip2537SignatureBitFlipIsRejected(@ForAll @IntRange(min = 0, max = 256 * 8 - 1) int bit) {
    Certificate c =
        HONEST.toBuilder()
            .aggregateSignatureEip2537(
                CertificateVerifierTest.flip(HONEST.aggregateSignatureEip2537(), bit))
            .build();
    assertThat(verify(c).isValid()).isFalse();
  }

  @Property(tries = 16)
  void anyBitmapBitFlipIsRejected(@ForAll @IntRange(min = 0, max = 15) int bit) {
    Certificate c =
        HONEST.toBuilder().signers(CertificateVerifierTest.flip(HONEST.signers(), bit)).build();
    assertThat(verify(c).isValid()).isFalse();
  }

  @Property(tries = 16)
  void anyBitmapBitFlipWithRecomputedStakeIsStillRejected(
      @ForAll @IntRange(min = 0, max = 15) int bit) {
    byte[] flipped = CertificateVerifierTest.flip(HONEST.signers(), bit);
    SignerBitmap b = SignerBitmap.fromBytes(flipped, 16);
    List<Integer> signers = java.util.Arrays.stream(b.signers()).boxed().toList();
    Certificate c =
        HONEST.toBuilder()
            .signers(flipped)
            .signedStake(F.stakeOf(signers))
            .thresholdBps(VerifierPolicy.TWO_THIRDS_BPS)
            .build();
    VerificationResult r = verify(c);
    assertThat(r.isValid()).isFalse();
    assertThat(r.reason().orElseThrow())
        .isIn(RejectionReason.INVALID_SIGNATURE, RejectionReason.INSUFFICIENT_STAKE);
  }

  private static VerificationResult verify(Certificate c) {
    return CertificateVerifier.verify(c, F.snapshot, Fixture.DOMAIN, VerifierPolicy.defaults());
  }
}
