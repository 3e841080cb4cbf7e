package org.avsnode.bls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Invariants of the encodings, verification and aggregation (modest tries to stay fast). */
class BlsPropertiesTest {

  private static BlsSecretKey key(byte[] ikm) {
    return BlsSecretKey.keyGen(ikm);
  }

  @Property(tries = 60)
  void secretKeyRoundTrips(@ForAll @Size(32) byte[] ikm) {
    BlsSecretKey sk = key(ikm);
    assertThat(BlsSecretKey.fromBytes(sk.toBytes())).isEqualTo(sk);
    assertThat(BlsSecretKey.fromBytes(sk.toBytes()).publicKey()).isEqualTo(sk.publicKey());
  }

  @Property(tries = 60)
  void publicKeyEncodingsRoundTrip(@ForAll @Size(32) byte[] ikm) {
    BlsPublicKey pk = key(ikm).publicKey();
    assertThat(BlsPublicKey.fromBytes(pk.toBytes())).isEqualTo(pk).hasSameHashCodeAs(pk);
    assertThat(BlsPublicKey.fromHex(pk.toHex())).isEqualTo(pk);
    assertThat(BlsPublicKey.fromEip2537(pk.toEip2537())).isEqualTo(pk);
    assertThat(BlsPublicKey.fromEip2537(pk.toEip2537()).toEip2537()).isEqualTo(pk.toEip2537());
  }

  @Property(tries = 60)
  void signatureEncodingsRoundTrip(
      @ForAll @Size(32) byte[] ikm, @ForAll @Size(max = 64) byte[] message) {
    BlsSignature sig = key(ikm).sign(message);
    assertThat(BlsSignature.fromBytes(sig.toBytes())).isEqualTo(sig).hasSameHashCodeAs(sig);
    assertThat(BlsSignature.fromHex(sig.toHex())).isEqualTo(sig);
    assertThat(BlsSignature.fromEip2537(sig.toEip2537())).isEqualTo(sig);
  }

  @Property(tries = 50)
  void aFlippedBitInTheMessageFailsVerification(
      @ForAll @Size(32) byte[] ikm,
      @ForAll @Size(min = 1, max = 64) byte[] message,
      @ForAll @IntRange(min = 0, max = 511) int bit) {
    BlsSecretKey sk = key(ikm);
    BlsSignature sig = sk.sign(message);
    assertThat(Bls.verify(sk.publicKey(), message, sig)).isTrue();
    byte[] mutated = message.clone();
    int b = bit % (8 * mutated.length);
    mutated[b / 8] ^= (byte) (1 << (b % 8));
    assertThat(Bls.verify(sk.publicKey(), mutated, sig)).isFalse();
  }

  @Property(tries = 50)
  void aFlippedBitInTheSignatureFailsVerification(
      @ForAll @Size(32) byte[] ikm,
      @ForAll @Size(32) byte[] message,
      @ForAll @IntRange(min = 0, max = 767) int bit) {
    BlsSecretKey sk = key(ikm);
    byte[] sig = sk.sign(message).toBytes();
    sig[bit / 8] ^= (byte) (1 << (bit % 8));
    assertThat(Bls.verifyEncoded(sk.publicKey().toBytes(), message, sig)).isFalse();
  }

  @Property(tries = 50)
  void aFlippedBitInThePublicKeyFailsVerification(
      @ForAll @Size(32) byte[] ikm,
      @ForAll @Size(32) byte[] message,
      @ForAll @IntRange(min = 0, max = 383) int bit) {
    BlsSecretKey sk = key(ikm);
    byte[] pk = sk.publicKey().toBytes();
    pk[bit / 8] ^= (byte) (1 << (bit % 8));
    assertThat(Bls.verifyEncoded(pk, message, sk.sign(message).toBytes())).isFalse();
  }

  @Property(tries = 50)
  void aFlippedBitInTheSecretKeyGivesASignatureThatFails(
      @ForAll @Size(32) byte[] ikm,
      @ForAll @Size(32) byte[] message,
      @ForAll @IntRange(min = 0, max = 250) int bit) {
    BlsSecretKey sk = key(ikm);
    byte[] raw = sk.toBytes();
    raw[31 - bit / 8] ^= (byte) (1 << (bit % 8));
    BlsSecretKey other;
    try {
      other = BlsSecretKey.fromBytes(raw);
    } catch (BlsException e) {
      return; // flipped into 0 or >= r: rejected, which is also fine
    }
    assertThat(Bls.verify(sk.publicKey(), message, other.sign(message))).isFalse();
  }

  @Property(tries = 30)
  void aggregationIsOrderIndependent(
      @ForAll @IntRange(min = 1, max = 12) int n, @ForAll long seed) {
    Random rnd = new Random(seed);
    byte[] message = new byte[32];
    rnd.nextBytes(message);
    List<BlsPublicKey> pks = new ArrayList<>();
    List<BlsSignature> sigs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] ikm = new byte[32];
      rnd.nextBytes(ikm);
      BlsSecretKey sk = key(ikm);
      pks.add(sk.publicKey());
      sigs.add(sk.sign(message));
    }
    BlsSignature agg = BlsSignature.aggregate(sigs);
    BlsPublicKey aggPk = BlsPublicKey.aggregate(pks);
    List<Integer> perm = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      perm.add(i);
    }
    Collections.shuffle(perm, rnd);
    List<BlsPublicKey> pks2 = perm.stream().map(pks::get).toList();
    List<BlsSignature> sigs2 = perm.stream().map(sigs::get).toList();
    assertThat(BlsSignature.aggregate(sigs2)).isEqualTo(agg);
    assertThat(BlsPublicKey.aggregate(pks2)).isEqualTo(aggPk);
    assertThat(Bls.fastAggregateVerify(pks2, message, agg)).isTrue();
  }

  @Property(tries = 30)
  void optimisticAggregationFindsExactlyTheInvalidSignatures(
      @ForAll @IntRange(min = 1, max = 48) int n,
      @ForAll @IntRange(min = 0, max = 10) int k,
      @ForAll long seed) {
    Random rnd = new Random(seed);
    int bad = Math.min(k, n);
    Fixtures.Set set = Fixtures.sameMessage(n, seed);
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      idx.add(i);
    }
    Collections.shuffle(idx, rnd);
    List<Integer> expectedInvalid = idx.subList(0, bad).stream().sorted().toList();
    List<BlsSignature> sigs = new ArrayList<>(set.signatures());
    for (int i : expectedInvalid) {
      sigs.set(i, set.wrongSignature(i)); // a valid G2 point, but over another message
    }
    OptimisticAggregator.Result r =
        OptimisticAggregator.aggregate(set.message(), set.publicKeys(), sigs);
    assertThat(r.invalidIndices()).isEqualTo(expectedInvalid);
    assertThat(r.validIndices()).hasSize(n - bad);
    assertThat(r.validIndices()).noneMatch(expectedInvalid::contains);
    if (bad < n) {
      List<BlsPublicKey> validKeys = r.validIndices().stream().map(set.publicKeys()::get).toList();
      assertThat(r.aggregatePublicKey()).isEqualTo(BlsPublicKey.aggregate(validKeys));
      assertThat(Bls.fastAggregateVerify(validKeys, set.message(), r.aggregateSignature()))
          .isTrue();
      assertThat(Bls.verify(r.aggregatePublicKey(), set.message(), r.aggregateSignature()))
          .isTrue();
    } else {
      assertThat(r.aggregateSignature()).isNull();
      assertThat(r.aggregatePublicKey()).isNull();
    }
  }
}
