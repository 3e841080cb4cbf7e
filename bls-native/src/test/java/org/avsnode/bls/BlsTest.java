package org.avsnode.bls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlsTest {
  private static final SecureRandom RND = new SecureRandom();

  private static byte[] msg(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void nativeLibraryLoads() {
    Bls.ensureAvailable();
    assertThat(BlstLoader.isAvailable()).isTrue();
    assertThat(BlstLoader.failureMessage())
        .contains("os.name=" + System.getProperty("os.name"))
        .contains("os.arch=" + System.getProperty("os.arch"));
  }

  @Test
  void eip2333KeyGenMatchesTheEipTestCase0() {
    // EIP-2333 test case 0: seed -> master_SK.
    byte[] seed =
        Hex.fromHex(
            "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e5349553"
                + "1f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04");
    BlsSecretKey master = BlsSecretKey.keyGen(seed);
    assertThat(new BigInteger(1, master.toBytes()))
        .isEqualTo(
            new BigInteger(
                "6083874454709270928345386274498605044986640685124978867557563392430687146096"));
    BlsSecretKey child = master.deriveChild(0);
    assertThat(new BigInteger(1, child.toBytes()))
        .isEqualTo(
            new BigInteger(
                "20397789859736650942317412262472558107875392172444076792671091975210932703118"));
    assertThatThrownBy(() -> BlsSecretKey.keyGen(new byte[31])).isInstanceOf(BlsException.class);
  }

  @Test
  void secretKeyRangeIsChecked() {
    assertThatThrownBy(() -> BlsSecretKey.fromBytes(new byte[32]))
        .isInstanceOf(BlsEncodingException.class);
    byte[] r = Hex.fromHex("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001");
    assertThatThrownBy(() -> BlsSecretKey.fromBytes(r)).isInstanceOf(BlsEncodingException.class);
    r[31] = 0; // r - 1
    assertThat(BlsSecretKey.fromBytes(r).toBytes()).isEqualTo(r);
    assertThatThrownBy(() -> BlsSecretKey.fromBytes(new byte[31]))
        .isInstanceOf(BlsEncodingException.class);
    assertThatThrownBy(() -> BlsSecretKey.fromBytes(null)).isInstanceOf(BlsException.class);
  }

  @Test
  void secretKeyNeverPrintsAndCanBeDestroyed() {
    BlsSecretKey sk = BlsSecretKey.random(RND);
    String hex = Hex.toHex(sk.toBytes());
    assertThat(sk.toString()).doesNotContain(hex).contains("redacted");
    sk.destroy();
    assertThat(sk.isDestroyed()).isTrue();
    assertThatThrownBy(() -> sk.sign(msg("x"))).isInstanceOf(BlsException.class);
    assertThatThrownBy(sk::toBytes).isInstanceOf(BlsException.class);
    assertThatThrownBy(sk::publicKey).isInstanceOf(BlsException.class);
  }

  @Test
  void signVerifyAndProofOfPossession() {
    BlsSecretKey sk = BlsSecretKey.random(RND);
    BlsPublicKey pk = sk.publicKey();
    BlsSignature sig = sk.sign(msg("hello"));
    assertThat(Bls.verify(pk, msg("hello"), sig)).isTrue();
    assertThat(Bls.verify(pk, msg("hellO"), sig)).isFalse();
    BlsSignature pop = sk.proofOfPossession();
    assertThat(Bls.verifyProofOfPossession(pk, pop)).isTrue();
    // The PoP is domain-separated from ordinary signatures over the same bytes.
    assertThat(Bls.verify(pk, pk.toBytes(), pop)).isFalse();
    assertThat(Bls.verifyProofOfPossession(pk, sk.sign(pk.toBytes()))).isFalse();
    BlsPublicKey other = BlsSecretKey.random(RND).publicKey();
    assertThat(Bls.verifyProofOfPossession(other, pop)).isFalse();
    assertThat(Bls.verify(pk, msg("hello"), BlsSignature.infinity())).isFalse();
  }

  @Test
  void dstConstants() {
    assertThat(new String(Bls.dstSig(), StandardCharsets.US_ASCII))
        .isEqualTo("BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_");
    assertThat(new String(Bls.dstPop(), StandardCharsets.US_ASCII))
        .isEqualTo("BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_");
  }

  @Test
  void eip2537EncodingsRoundTripAndAreChecked() {
    BlsSecretKey sk = BlsSecretKey.random(RND);
    BlsPublicKey pk = sk.publicKey();
    byte[] g1 = pk.toEip2537();
    assertThat(g1).hasSize(128);
    assertThat(BlsPublicKey.fromEip2537(g1)).isEqualTo(pk);
    BlsSignature sig = sk.sign(msg("m"));
    byte[] g2 = sig.toEip2537();
    assertThat(g2).hasSize(256);
    assertThat(BlsSignature.fromEip2537(g2)).isEqualTo(sig);
    assertThat(BlsSignature.fromEip2537(new byte[256])).isEqualTo(BlsSignature.infinity());
    assertThat(BlsSignature.infinity().toEip2537()).isEqualTo(new byte[256]);
    assertThatThrownBy(() -> BlsPublicKey.fromEip2537(new byte[128]))
        .isInstanceOf(BlsEncodingException.class);
    byte[] bad = g1.clone();
    bad[0] = 1; // non-zero padding
    assertThatThrownBy(() -> BlsPublicKey.fromEip2537(bad))
        .isInstanceOf(BlsEncodingException.class);
    byte[] offCurve = g1.clone();
    offCurve[127] ^= 1;
    assertThatThrownBy(() -> BlsPublicKey.fromEip2537(offCurve))
        .isInstanceOf(BlsEncodingException.class);
    byte[] offCurve2 = g2.clone();
    offCurve2[255] ^= 1;
    assertThatThrownBy(() -> BlsSignature.fromEip2537(offCurve2))
        .isInstanceOf(BlsEncodingException.class);
    assertThatThrownBy(() -> BlsSignature.fromEip2537(new byte[255]))
        .isInstanceOf(BlsEncodingException.class);
    // G2 generator: the EIP-2537 layout puts c0 before c1.
    byte[] hashed = Bls.hashToG2Eip2537(msg("abc"));
    assertThat(BlsSignature.fromEip2537(hashed).toEip2537()).isEqualTo(hashed);
  }

  @Test
  void decodingErrorsAreTyped() {
    assertThatThrownBy(() -> BlsPublicKey.fromBytes(new byte[48]))
        .isInstanceOf(BlsEncodingException.class);
    assertThatThrownBy(() -> BlsPublicKey.fromHex("0xzz")).isInstanceOf(BlsException.class);
    assertThatThrownBy(() -> BlsSignature.fromBytes(new byte[97]))
        .isInstanceOf(BlsEncodingException.class);
    byte[] garbage = new byte[96];
    RND.nextBytes(garbage);
    garbage[0] = (byte) 0x9f;
    assertThatThrownBy(() -> BlsSignature.fromBytes(garbage)).isInstanceOf(BlsException.class);
    assertThat(Bls.verifyEncoded(null, null, null)).isFalse();
    assertThat(Bls.fastAggregateVerifyEncoded(List.of(), new byte[0], new byte[96])).isFalse();
  }

  @Test
  void aggregationAndMultiVerification() {
    List<BlsSecretKey> sks = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sks.add(BlsSecretKey.random(RND));
    }
    byte[] m = msg("same");
    List<BlsPublicKey> pks = sks.stream().map(BlsSecretKey::publicKey).toList();
    List<BlsSignature> sigs = sks.stream().map(k -> k.sign(m)).toList();
    BlsSignature agg = BlsSignature.aggregate(sigs);
    assertThat(Bls.fastAggregateVerify(pks, m, agg)).isTrue();
    assertThat(Bls.verify(BlsPublicKey.aggregate(pks), m, agg)).isTrue();
    assertThat(Bls.fastAggregateVerify(pks.subList(0, 4), m, agg)).isFalse();
    assertThat(Bls.fastAggregateVerify(List.of(), m, agg)).isFalse();
    assertThatThrownBy(() -> BlsSignature.aggregate(List.of())).isInstanceOf(BlsException.class);
    assertThatThrownBy(() -> BlsPublicKey.aggregate(List.of())).isInstanceOf(BlsException.class);

    List<byte[]> msgs = new ArrayList<>();
    List<BlsSignature> distinct = new ArrayList<>();
    List<SignatureSet> sets = new ArrayList<>();
    for (int i = 0; i < sks.size(); i++) {
      byte[] mi = msg("m" + i);
      msgs.add(mi);
      distinct.add(sks.get(i).sign(mi));
      sets.add(new SignatureSet(pks.get(i), mi, distinct.get(i)));
    }
    assertThat(Bls.aggregateVerify(pks, msgs, BlsSignature.aggregate(distinct))).isTrue();
    assertThat(Bls.aggregateVerify(pks, msgs.subList(0, 4), BlsSignature.aggregate(distinct)))
        .isFalse();
    assertThat(Bls.batchVerify(sets)).isTrue();
    assertThat(Bls.batchVerify(sets, 1)).isTrue();
    assertThat(Bls.batchVerify(List.of())).isFalse();
    List<SignatureSet> broken = new ArrayList<>(sets);
    broken.set(2, new SignatureSet(pks.get(2), msgs.get(3), distinct.get(2)));
    assertThat(Bls.batchVerify(broken)).isFalse();
  }

  @Test
  void batchVerifySplitsAcrossThreadsAndCatchesOneBadSet() {
    List<SignatureSet> sets = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      BlsSecretKey sk = BlsSecretKey.random(RND);
      byte[] m = msg("batch " + i);
      sets.add(new SignatureSet(sk.publicKey(), m, sk.sign(m)));
    }
    assertThat(Bls.batchVerify(sets, 4)).isTrue();
    // Swap two signatures: each set is then invalid though the plain sum would still verify.
    List<SignatureSet> swapped = new ArrayList<>(sets);
    swapped.set(
        10,
        new SignatureSet(
            sets.get(10).publicKey(), sets.get(10).message(), sets.get(50).signature()));
    swapped.set(
        50,
        new SignatureSet(
            sets.get(50).publicKey(), sets.get(50).message(), sets.get(10).signature()));
    assertThat(Bls.batchVerify(swapped, 4)).isFalse();
    assertThat(Bls.batchVerify(swapped, 1)).isFalse();
  }

  @Test
  void batchVerifyByKeyAcceptsValidSetsAndCatchesEveryKindOfBadOne() {
    BlsSecretKey leader = BlsSecretKey.random(RND);
    BlsSecretKey other = BlsSecretKey.random(RND);
    List<SignatureSet> sets = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      byte[] m = msg("preconfirmation " + i);
      sets.add(new SignatureSet(leader.publicKey(), m, leader.sign(m)));
    }
    byte[] o = msg("another leader's");
    sets.add(new SignatureSet(other.publicKey(), o, other.sign(o)));
    // the same message twice (a repeat) is still one valid set each
    sets.add(sets.get(0));
    assertThat(Bls.batchVerifyByKey(sets)).isTrue();
    assertThat(Bls.batchVerifyByKey(sets.subList(0, 1))).isTrue();
    assertThat(Bls.batchVerifyByKey(List.of())).isFalse();

    // a signature over another message
    List<SignatureSet> wrongMessage = new ArrayList<>(sets);
    wrongMessage.set(
        5, new SignatureSet(leader.publicKey(), msg("other"), sets.get(5).signature()));
    assertThat(Bls.batchVerifyByKey(wrongMessage)).isFalse();
    // a signature by another key
    List<SignatureSet> wrongKey = new ArrayList<>(sets);
    wrongKey.set(20, new SignatureSet(leader.publicKey(), o, other.sign(o)));
    assertThat(Bls.batchVerifyByKey(wrongKey)).isFalse();
    // two signatures of one key swapped: each set is invalid though their plain sum still matches
    List<SignatureSet> swapped = new ArrayList<>(sets);
    swapped.set(
        3, new SignatureSet(leader.publicKey(), sets.get(3).message(), sets.get(7).signature()));
    swapped.set(
        7, new SignatureSet(leader.publicKey(), sets.get(7).message(), sets.get(3).signature()));
    assertThat(Bls.batchVerifyByKey(swapped)).isFalse();
    assertThat(Bls.batchVerify(swapped)).isFalse();
    // the point at infinity as a signature
    List<SignatureSet> infinite = new ArrayList<>(sets);
    infinite.set(
        1, new SignatureSet(leader.publicKey(), sets.get(1).message(), BlsSignature.infinity()));
    assertThat(Bls.batchVerifyByKey(infinite)).isFalse();
    // a signature that cancels another's error: σ_2 + δ and σ_4 − δ
    BlsSignature delta = leader.sign(msg("delta"));
    List<SignatureSet> cancelling = new ArrayList<>(sets);
    cancelling.set(
        2,
        new SignatureSet(
            leader.publicKey(),
            sets.get(2).message(),
            BlsSignature.aggregate(List.of(sets.get(2).signature(), delta))));
    byte[] negated =
        new supranational.blst.P2(delta.point())
            .neg()
            .add(sets.get(4).signature().point())
            .compress();
    cancelling.set(
        4,
        new SignatureSet(
            leader.publicKey(), sets.get(4).message(), BlsSignature.fromBytes(negated)));
    assertThat(Bls.verify(leader.publicKey(), sets.get(2).message(), cancelling.get(2).signature()))
        .isFalse();
    assertThat(Bls.batchVerifyByKey(cancelling)).isFalse();
    assertThat(Bls.batchVerifyByKey(sets)).as("the valid list again").isTrue();
  }

  @Test
  void maskBitCasesFromUpstreamMasterAreRejected() {
    // The upstream cases added after v0.1.2: a valid point with the top 3 bits set to 111/011/001.
    String g1 =
        "a491d1b0ecd9bb917989f0e74f0dea0422eac4a873e5e2644f368dffb9a6e20fd6e10c1b77654d067c0618f6e5a7f79a";
    assertThat(BlsPublicKey.isValidG1Point(Hex.fromHex(g1))).isTrue();
    for (String top : new String[] {"e4", "64", "24"}) {
      byte[] b = Hex.fromHex(top + g1.substring(2));
      assertThat(BlsPublicKey.isValidG1Point(b)).isFalse();
      assertThatThrownBy(() -> BlsPublicKey.fromBytes(b)).isInstanceOf(BlsEncodingException.class);
    }
    byte[] sig = BlsSecretKey.random(RND).sign(msg("mask")).toBytes();
    for (int flags : new int[] {0xe0, 0x60, 0x20}) {
      byte[] b = sig.clone();
      b[0] = (byte) ((b[0] & 0x1f) | flags);
      assertThatThrownBy(() -> BlsSignature.fromBytes(b)).isInstanceOf(BlsEncodingException.class);
    }
  }

  @Test
  void hashToG2RejectsUnsupportedDst() {
    assertThatThrownBy(() -> Bls.hashToG2Eip2537(msg("x"), new byte[0]))
        .isInstanceOf(BlsException.class);
    assertThatThrownBy(() -> Bls.hashToG2Eip2537(msg("x"), new byte[256]))
        .isInstanceOf(BlsException.class);
  }

  @Test
  void hexHelpers() {
    assertThat(Hex.fromHex("0xAb01")).containsExactly(0xab, 0x01);
    assertThat(Hex.fromHex("ab01")).containsExactly(0xab, 0x01);
    assertThatThrownBy(() -> Hex.fromHex("abc")).isInstanceOf(BlsEncodingException.class);
  }
}
