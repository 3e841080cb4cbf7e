package org.avsnode.certificate;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.bls.eip712.TypedMessage;

/** An operator set with real keys, and a signer that builds certificates the honest way. */
final class Fixture {
  static final byte[] AVS = address(0xA5, 0);
  static final Eip712Domain DOMAIN = Eip712Domain.avsNode(31337, AVS);
  static final long EPOCH = 77;

  private static final ConcurrentHashMap<String, Fixture> CACHE = new ConcurrentHashMap<>();

  final List<BlsSecretKey> keys;
  final OperatorSetSnapshot snapshot;

  private Fixture(List<BlsSecretKey> keys, OperatorSetSnapshot snapshot) {
    this.keys = keys;
    this.snapshot = snapshot;
  }

  /** n operators, stake 100 * (i + 1), all active. */
  static Fixture of(int n) {
    return of(n, i -> true);
  }

  static Fixture of(int n, IntPredicate active) {
    return CACHE.computeIfAbsent(n + "/" + activeMask(n, active), k -> build(n, active));
  }

  private static String activeMask(int n, IntPredicate active) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(active.test(i) ? '1' : '0');
    }
    return sb.toString();
  }

  private static Fixture build(int n, IntPredicate active) {
    List<BlsSecretKey> keys = new ArrayList<>();
    List<OperatorSetSnapshot.Operator> ops = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] ikm = new byte[32];
      new Random(1000 + i).nextBytes(ikm);
      BlsSecretKey sk = BlsSecretKey.keyGen(ikm);
      keys.add(sk);
      boolean a = active.test(i);
      ops.add(
          new OperatorSetSnapshot.Operator(
              i,
              address(0x0B, i),
              sk.publicKey(),
              a ? BigInteger.valueOf(100L * (i + 1)) : BigInteger.ZERO,
              a));
    }
    // hand them over shuffled: the snapshot must put them in canonical order itself
    List<OperatorSetSnapshot.Operator> shuffled = new ArrayList<>(ops);
    Collections.shuffle(shuffled, new Random(n));
    return new Fixture(keys, OperatorSetSnapshot.of(AVS, 3, EPOCH, shuffled));
  }

  static byte[] address(int tag, int i) {
    byte[] a = new byte[20];
    a[0] = (byte) tag;
    // addresses deliberately not in index order
    a[1] = (byte) (0xff - i);
    a[18] = (byte) (i >>> 8);
    a[19] = (byte) i;
    return a;
  }

  static FinalityAttestation message(long height) {
    byte[] hash = new byte[32];
    byte[] root = new byte[32];
    new Random(height).nextBytes(hash);
    new Random(~height).nextBytes(root);
    return new FinalityAttestation(42, height, hash, root, EPOCH);
  }

  BlsPublicKey key(int i) {
    return keys.get(i).publicKey();
  }

  /** The stake of the given signers. */
  BigInteger stakeOf(Collection<Integer> signers) {
    BigInteger s = BigInteger.ZERO;
    for (int i : signers) {
      s = s.add(snapshot.operator(i).stake());
    }
    return s;
  }

  /** A certificate signed by exactly these positions, with honest stake fields. */
  Certificate certify(TypedMessage msg, Collection<Integer> signers, int thresholdBps) {
    byte[] digest = msg.digest(DOMAIN);
    List<BlsSignature> sigs = new ArrayList<>();
    for (int i : signers) {
      sigs.add(keys.get(i).sign(digest));
    }
    BlsSignature agg = BlsSignature.aggregate(sigs);
    return Certificate.builder()
        .message(msg)
        .digest(digest)
        .operatorSet(AVS, 3)
        .signers(SignerBitmap.of(snapshot.size(), Set.copyOf(signers)))
        .signedStake(stakeOf(signers))
        .totalStake(snapshot.totalStake())
        .thresholdBps(thresholdBps)
        .aggregateSignature(agg.toBytes())
        .aggregateSignatureEip2537(agg.toEip2537())
        .build();
  }

  static List<Integer> range(int from, int to) {
    List<Integer> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(i);
    }
    return out;
  }
}
