package org.avsnode.operator.quorum;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.certificate.OperatorSetSnapshot;

/** An operator set with real keys, and honest and dishonest attestations from it. */
final class Operators {
  static final byte[] AVS = address(0xA5, 0);
  static final Eip712Domain DOMAIN = Eip712Domain.avsNode(31337, AVS);
  static final long EPOCH = 12;
  static final long ROLLUP = 42;

  private static final ConcurrentHashMap<String, List<BlsSecretKey>> KEYS =
      new ConcurrentHashMap<>();

  final List<BlsSecretKey> keys;
  final OperatorSetSnapshot snapshot;

  private Operators(List<BlsSecretKey> keys, OperatorSetSnapshot snapshot) {
    this.keys = keys;
    this.snapshot = snapshot;
  }

  /** n active operators with equal stake 1000. */
  static Operators equal(int n) {
    return of(n, i -> BigInteger.valueOf(1000));
  }

  /** n operators; a null stake makes the operator inactive. */
  static Operators of(int n, IntFunction<BigInteger> stake) {
    List<BlsSecretKey> keys = KEYS.computeIfAbsent("k" + n, k -> makeKeys(n));
    List<OperatorSetSnapshot.Operator> ops = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      BigInteger s = stake.apply(i);
      ops.add(
          new OperatorSetSnapshot.Operator(
              i,
              address(0x0B, i),
              keys.get(i).publicKey(),
              s == null ? BigInteger.ZERO : s,
              s != null));
    }
    return new Operators(keys, OperatorSetSnapshot.of(AVS, 1, EPOCH, ops));
  }

  private static List<BlsSecretKey> makeKeys(int n) {
    List<BlsSecretKey> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] ikm = new byte[32];
      new Random(5000 + i).nextBytes(ikm);
      keys.add(BlsSecretKey.keyGen(ikm));
    }
    return keys;
  }

  static byte[] address(int tag, int i) {
    byte[] a = new byte[20];
    a[0] = (byte) tag;
    a[18] = (byte) (i >>> 8);
    a[19] = (byte) i;
    return a;
  }

  static FinalityAttestation block(long height) {
    return block(height, 0);
  }

  /** The attestation for a height; {@code fork} != 0 gives a conflicting block hash. */
  static FinalityAttestation block(long height, int fork) {
    byte[] hash = new byte[32];
    byte[] root = new byte[32];
    new Random(height * 31 + fork).nextBytes(hash);
    new Random(height * 37).nextBytes(root);
    return new FinalityAttestation(ROLLUP, height, hash, root, EPOCH);
  }

  /** Any message type, signed by operator {@code operator}. */
  <M extends org.avsnode.bls.eip712.TypedMessage> SignedMessage<M> signAny(int operator, M m) {
    return new SignedMessage<>(
        m, address(0x0B, operator), keys.get(operator).sign(m.digest(DOMAIN)).toBytes());
  }

  SignedMessage<FinalityAttestation> sign(int operator, FinalityAttestation m) {
    return new SignedMessage<>(
        m, address(0x0B, operator), keys.get(operator).sign(m.digest(DOMAIN)).toBytes());
  }

  /** Operator's name, but a signature over something else: a valid G2 point that fails. */
  SignedMessage<FinalityAttestation> forged(int operator, FinalityAttestation m) {
    byte[] other = m.digest(DOMAIN).clone();
    other[0] ^= 1;
    return new SignedMessage<>(
        m, address(0x0B, operator), keys.get(operator).sign(other).toBytes());
  }
}
