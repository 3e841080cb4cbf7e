package org.avsnode.bls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptimisticAggregatorTest {
  private static final Fixtures.Set SET = Fixtures.sameMessage(300, 7);

  @Test
  void allValidIsOneCheck() {
    var r = OptimisticAggregator.aggregate(SET.message(), SET.publicKeys(), SET.signatures());
    assertThat(r.allValid()).isTrue();
    assertThat(r.validIndices()).hasSize(300);
    assertThat(r.aggregateSignature()).isEqualTo(BlsSignature.aggregate(SET.signatures()));
    assertThat(r.aggregatePublicKey()).isEqualTo(BlsPublicKey.aggregate(SET.publicKeys()));
  }

  @Test
  void findsInvalidOnesInALargeSetUsingTheParallelSearch() {
    List<BlsSignature> sigs = new ArrayList<>(SET.signatures());
    List<Integer> bad = List.of(0, 1, 63, 64, 150, 299);
    for (int i : bad) {
      sigs.set(i, SET.wrongSignature(i));
    }
    // a signature by the wrong key over the right message
    sigs.set(200, SET.signatures().get(201));
    var r = OptimisticAggregator.aggregate(SET.message(), SET.publicKeys(), sigs);
    assertThat(r.invalidIndices()).containsExactly(0, 1, 63, 64, 150, 200, 299);
    assertThat(Bls.verify(r.aggregatePublicKey(), SET.message(), r.aggregateSignature())).isTrue();
  }

  @Test
  void encodedInputTreatsUndecodableSignaturesAsInvalid() {
    List<byte[]> encoded = new ArrayList<>();
    SET.signatures().forEach(s -> encoded.add(s.toBytes()));
    encoded.set(5, new byte[95]);
    byte[] notInGroup = SET.signatures().get(7).toBytes();
    notInGroup[20] ^= 1; // almost surely off the curve or outside G2
    encoded.set(7, notInGroup);
    encoded.set(9, SET.wrongSignature(9).toBytes());
    var r = OptimisticAggregator.aggregateEncoded(SET.message(), SET.publicKeys(), encoded);
    assertThat(r.invalidIndices()).containsExactly(5, 7, 9);
    assertThat(r.validIndices()).hasSize(297).doesNotContain(5, 7, 9);
    assertThat(Bls.verify(r.aggregatePublicKey(), SET.message(), r.aggregateSignature())).isTrue();
    var all =
        OptimisticAggregator.aggregateEncoded(
            SET.message(),
            SET.publicKeys(),
            SET.signatures().stream().map(BlsSignature::toBytes).toList());
    assertThat(all.allValid()).isTrue();
    assertThat(all.aggregateSignature()).isEqualTo(BlsSignature.aggregate(SET.signatures()));
  }

  /** An on-curve point outside G2 from the public deserialization vectors. */
  private static final String NOT_IN_G2 =
      "8123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
          + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
          + "0123456789abcdef0123456789abcdef";

  private static final java.math.BigInteger R =
      new java.math.BigInteger(
          "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001", 16);

  @Test
  void theIntakesCurveCheckLeavesOnlyTheSubgroupCheckForLater() {
    byte[] good = SET.signatures().get(0).toBytes();
    assertThat(BlsSignature.checkEncodingOnCurve(good)).isFalse();
    assertThat(BlsSignature.checkEncodingOnCurve(BlsSignature.infinity().toBytes())).isTrue();
    // on the curve, outside G2: passes here, fails the full decoding
    assertThat(BlsSignature.checkEncodingOnCurve(Hex.fromHex(NOT_IN_G2))).isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> BlsSignature.fromBytes(Hex.fromHex(NOT_IN_G2)))
        .isInstanceOf(BlsEncodingException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> BlsSignature.checkEncodingOnCurve(new byte[95]))
        .isInstanceOf(BlsEncodingException.class);
    byte[] offCurve = good.clone();
    offCurve[50] ^= 0x55;
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> BlsSignature.checkEncodingOnCurve(offCurve))
        .isInstanceOf(BlsEncodingException.class);
    byte[] badFlags = good.clone();
    badFlags[0] &= 0x7f; // the compression flag cleared
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> BlsSignature.checkEncodingOnCurve(badFlags))
        .isInstanceOf(BlsEncodingException.class);
  }

  @Test
  void encodedInputCatchesAnOnCurvePointOutsideG2() {
    byte[] offGroup = Hex.fromHex(NOT_IN_G2);
    var p = new supranational.blst.P2_Affine(offGroup);
    assertThat(p.on_curve()).isTrue();
    assertThat(p.in_group()).isFalse();
    List<byte[]> encoded = new ArrayList<>();
    SET.signatures().forEach(s -> encoded.add(s.toBytes()));
    encoded.set(11, offGroup);
    var r = OptimisticAggregator.aggregateEncoded(SET.message(), SET.publicKeys(), encoded);
    assertThat(r.invalidIndices()).containsExactly(11);
    assertThat(Bls.verify(r.aggregatePublicKey(), SET.message(), r.aggregateSignature())).isTrue();
  }

  @Test
  void encodedInputRejectsAValidSignaturePlusATorsionPoint() {
    // T = r·Q has no G2 component: the pairing cannot see it, only the subgroup check can.
    var torsion = new supranational.blst.P2(Hex.fromHex(NOT_IN_G2)).mult(R);
    assertThat(torsion.is_inf()).isFalse();
    assertThat(torsion.in_group()).isFalse();
    List<byte[]> encoded = new ArrayList<>();
    SET.signatures().forEach(s -> encoded.add(s.toBytes()));
    byte[] tampered =
        new supranational.blst.P2(SET.signatures().get(42).toBytes()).add(torsion).compress();
    assertThat(new supranational.blst.P2_Affine(tampered).in_group()).isFalse();
    encoded.set(42, tampered);
    var r = OptimisticAggregator.aggregateEncoded(SET.message(), SET.publicKeys(), encoded);
    assertThat(r.invalidIndices()).containsExactly(42);
    assertThat(r.validIndices()).hasSize(299);
    assertThat(BlsSignature.fromBytes(r.aggregateSignature().toBytes()))
        .isEqualTo(r.aggregateSignature());
    assertThat(Bls.verify(r.aggregatePublicKey(), SET.message(), r.aggregateSignature())).isTrue();
  }

  @Test
  void randomInvalidSubsetsOfALargeSetAreFoundExactly() {
    java.util.Random rnd = new java.util.Random(2024);
    for (int round = 0; round < 15; round++) {
      int k = 1 + rnd.nextInt(15);
      java.util.TreeSet<Integer> bad = new java.util.TreeSet<>();
      while (bad.size() < k) {
        // sometimes clustered (same small range), sometimes spread out
        bad.add(round % 3 == 0 ? 100 + rnd.nextInt(12) : rnd.nextInt(300));
      }
      List<BlsSignature> sigs = new ArrayList<>(SET.signatures());
      for (int i : bad) {
        sigs.set(i, SET.wrongSignature(i));
      }
      var r = OptimisticAggregator.aggregate(SET.message(), SET.publicKeys(), sigs);
      assertThat(r.invalidIndices()).as("round %d", round).containsExactlyElementsOf(bad);
      assertThat(Bls.verify(r.aggregatePublicKey(), SET.message(), r.aggregateSignature()))
          .isTrue();
    }
  }

  @Test
  void allInvalid() {
    List<BlsSignature> sigs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sigs.add(SET.wrongSignature(i));
    }
    var r = OptimisticAggregator.aggregate(SET.message(), SET.publicKeys().subList(0, 5), sigs);
    assertThat(r.invalidIndices()).containsExactly(0, 1, 2, 3, 4);
    assertThat(r.hasValid()).isFalse();
  }

  @Test
  void infinitySignatureIsInvalid() {
    List<BlsSignature> sigs = new ArrayList<>(SET.signatures().subList(0, 3));
    sigs.set(1, BlsSignature.infinity());
    var r = OptimisticAggregator.aggregate(SET.message(), SET.publicKeys().subList(0, 3), sigs);
    assertThat(r.invalidIndices()).containsExactly(1);
  }

  @Test
  void badArguments() {
    assertThatThrownBy(() -> OptimisticAggregator.aggregate(SET.message(), List.of(), List.of()))
        .isInstanceOf(BlsException.class);
    assertThatThrownBy(
            () ->
                OptimisticAggregator.aggregate(
                    SET.message(), SET.publicKeys().subList(0, 2), SET.signatures().subList(0, 1)))
        .isInstanceOf(BlsException.class);
  }
}
