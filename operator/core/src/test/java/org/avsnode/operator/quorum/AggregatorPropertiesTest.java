package org.avsnode.operator.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.certificate.CertificateVerifier;
import org.avsnode.certificate.SignerBitmap;
import org.avsnode.certificate.VerificationResult;
import org.avsnode.certificate.VerifierPolicy;
import org.avsnode.operator.time.ManualTime;

class AggregatorPropertiesTest {
  private static final int N = 8;
  private static final Operators OPS = Operators.of(N, i -> BigInteger.valueOf(100L * (i + 1)));
  private static final Executor DIRECT = Runnable::run;

  /** Per operator: 0 offline, 1 honest, 2 forged signature, 3 equivocates (honest, then fork). */
  @Provide
  Arbitrary<List<Integer>> behaviours() {
    return Arbitraries.integers().between(0, 3).list().ofSize(N);
  }

  @Property(tries = 25)
  void certificatesAlwaysVerifyAndCountExactlyTheHonest(
      @ForAll("behaviours") List<Integer> behaviour, @ForAll("orders") List<Integer> order) {
    ManualTime time = new ManualTime();
    Recorder rec = new Recorder();
    Aggregator<FinalityAttestation> agg =
        new Aggregator<>(
            OPS.snapshot, Operators.DOMAIN, AggregatorConfig.defaults(), rec, time, time, DIRECT);
    FinalityAttestation m = Operators.block(1000);
    FinalityAttestation fork = Operators.block(1000, 9);
    List<SignedMessage<FinalityAttestation>> stream = new ArrayList<>();
    for (int i : order) {
      switch (behaviour.get(i)) {
        case 1 -> stream.add(OPS.sign(i, m));
        case 2 -> stream.add(OPS.forged(i, m));
        case 3 -> {
          stream.add(OPS.sign(i, m));
          stream.add(OPS.sign(i, fork));
        }
        default -> {}
      }
    }
    stream.forEach(agg::submit);
    time.advance(Duration.ofSeconds(1));

    Set<Integer> honest = new HashSet<>();
    BigInteger honestStake = BigInteger.ZERO;
    for (int i = 0; i < N; i++) {
      if (behaviour.get(i) == 1) {
        honest.add(i);
        honestStake = honestStake.add(OPS.snapshot.operator(i).stake());
      }
    }
    boolean enough =
        honestStake
                .multiply(BigInteger.valueOf(10_000))
                .compareTo(OPS.snapshot.totalStake().multiply(BigInteger.valueOf(6667)))
            >= 0;
    long equivocators = behaviour.stream().filter(b -> b == 3).count();
    assertThat(rec.equivocations).hasSize((int) equivocators);
    for (PublishedCertificate p : rec.certificates) {
      VerificationResult r =
          CertificateVerifier.verify(
              p.certificate(), OPS.snapshot, Operators.DOMAIN, VerifierPolicy.defaults());
      assertThat(r.isValid()).as(r.toString()).isTrue();
    }
    if (!enough) {
      // equivocators' first votes may have counted before they equivocated; never forged ones
      for (PublishedCertificate p : rec.certificates) {
        assertThat(signersOf(p)).allMatch(i -> behaviour.get(i) == 1 || behaviour.get(i) == 3);
      }
      return;
    }
    assertThat(rec.certificates).isNotEmpty();
    PublishedCertificate last = rec.certificates.get(rec.certificates.size() - 1);
    assertThat(signersOf(last)).isEqualTo(honest);
  }

  @Provide
  Arbitrary<List<Integer>> orders() {
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      ids.add(i);
    }
    return Arbitraries.shuffle(ids);
  }

  private static Set<Integer> signersOf(PublishedCertificate p) {
    return new HashSet<>(
        Arrays.stream(SignerBitmap.fromBytes(p.certificate().signers(), N).signers())
            .boxed()
            .toList());
  }
}
