package org.avsnode.bls;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import supranational.blst.BLST_ERROR;
import supranational.blst.P1;
import supranational.blst.P2;
import supranational.blst.PT;
import supranational.blst.Pairing;

/**
 * The BLS façade: verification in all its forms, proof of possession, hash-to-curve. The
 * ciphersuite is Ethereum's {@code BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_}: public keys in G1,
 * signatures in G2. Verification methods return false for any invalid input; the {@code *Encoded}
 * variants take raw bytes and return false (never throw) for malformed encodings too.
 */
public final class Bls {
  static final String DST_SIG_STRING = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
  static final String DST_POP_STRING = "BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

  /** Signature DST (a copy is handed out by {@link #dstSig()}). */
  public static final String DST_SIG = DST_SIG_STRING;

  /** Proof-of-possession DST. */
  public static final String DST_POP = DST_POP_STRING;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int PARALLEL_THRESHOLD = 16;

  /** The generator of G1 (the left side of {@link #batchVerifyByKey}'s check). */
  private static final supranational.blst.P1_Affine G1 = generatorG1();

  private Bls() {}

  /** Fails fast with a message naming os.name/os.arch if blst cannot be loaded. */
  public static void ensureAvailable() {
    BlstLoader.ensureLoaded();
  }

  public static byte[] dstSig() {
    return DST_SIG_STRING.getBytes(StandardCharsets.US_ASCII);
  }

  public static byte[] dstPop() {
    return DST_POP_STRING.getBytes(StandardCharsets.US_ASCII);
  }

  // ---------------------------------------------------------------- typed verification

  /** IETF Verify (CoreVerify with the signature DST). */
  public static boolean verify(BlsPublicKey publicKey, byte[] message, BlsSignature signature) {
    BlstLoader.ensureLoaded();
    if (publicKey == null || message == null || signature == null) {
      return false;
    }
    return coreVerify(publicKey.point(), message, signature, DST_SIG_STRING);
  }

  private static boolean coreVerify(
      supranational.blst.P1_Affine pk, byte[] message, BlsSignature signature, String dst) {
    if (pk.is_inf() || signature.isInfinity()) {
      return false;
    }
    try {
      return signature.point().core_verify(pk, true, message, dst) == BLST_ERROR.BLST_SUCCESS;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** IETF FastAggregateVerify: one message, many keys. An empty key list is false. */
  public static boolean fastAggregateVerify(
      List<BlsPublicKey> publicKeys, byte[] message, BlsSignature signature) {
    BlstLoader.ensureLoaded();
    if (publicKeys == null || publicKeys.isEmpty() || message == null || signature == null) {
      return false;
    }
    for (BlsPublicKey k : publicKeys) {
      if (k == null) {
        return false;
      }
    }
    return coreVerify(BlsPublicKey.sum(publicKeys).to_affine(), message, signature, DST_SIG_STRING);
  }

  /**
   * IETF AggregateVerify (proof-of-possession scheme, so messages need not be distinct): key i
   * signed message i. Empty lists and lists of different sizes are false.
   */
  public static boolean aggregateVerify(
      List<BlsPublicKey> publicKeys, List<byte[]> messages, BlsSignature signature) {
    BlstLoader.ensureLoaded();
    if (publicKeys == null
        || messages == null
        || signature == null
        || publicKeys.isEmpty()
        || publicKeys.size() != messages.size()
        || signature.isInfinity()) {
      return false;
    }
    try {
      Pairing ctx = new Pairing(true, DST_SIG_STRING);
      for (int i = 0; i < publicKeys.size(); i++) {
        BlsPublicKey pk = publicKeys.get(i);
        byte[] msg = messages.get(i);
        if (pk == null || msg == null) {
          return false;
        }
        BLST_ERROR err = ctx.aggregate(pk.point(), i == 0 ? signature.point() : null, msg.clone());
        if (err != BLST_ERROR.BLST_SUCCESS) {
          return false;
        }
      }
      ctx.commit();
      return ctx.finalverify();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Proof-of-possession check: the signature is over the compressed key with the POP DST. */
  public static boolean verifyProofOfPossession(BlsPublicKey publicKey, BlsSignature proof) {
    BlstLoader.ensureLoaded();
    if (publicKey == null || proof == null) {
      return false;
    }
    return coreVerify(publicKey.point(), publicKey.toBytes(), proof, DST_POP_STRING);
  }

  /**
   * Verifies many independent (key, message, signature) sets at once with random non-zero 64-bit
   * multipliers (drawn from one {@link SecureRandom}), the work split across the available cores
   * and merged into one final exponentiation. True only if every set is valid (except with
   * probability about 2^-64). An empty list is false.
   */
  public static boolean batchVerify(List<SignatureSet> sets) {
    return batchVerify(sets, Runtime.getRuntime().availableProcessors());
  }

  /** {@link #batchVerify(List)} on at most {@code parallelism} threads (the caller's included). */
  public static boolean batchVerify(List<SignatureSet> sets, int parallelism) {
    BlstLoader.ensureLoaded();
    if (sets == null || sets.isEmpty()) {
      return false;
    }
    for (SignatureSet s : sets) {
      if (s == null || s.signature().isInfinity()) {
        return false;
      }
    }
    int n = sets.size();
    BigInteger[] multipliers = new BigInteger[n];
    for (int i = 0; i < n; i++) {
      multipliers[i] = randomMultiplier();
    }
    int chunks = Math.max(1, Math.min(parallelism, n / PARALLEL_THRESHOLD));
    try {
      if (chunks == 1) {
        Pairing ctx = batchChunk(sets, multipliers, 0, n);
        return ctx != null && ctx.finalverify();
      }
      List<Future<Pairing>> futures = new ArrayList<>(chunks - 1);
      int per = (n + chunks - 1) / chunks;
      for (int c = 1; c < chunks; c++) {
        int from = c * per;
        int to = Math.min(n, from + per);
        futures.add(Workers.POOL.submit(() -> batchChunk(sets, multipliers, from, to)));
      }
      Pairing acc = batchChunk(sets, multipliers, 0, Math.min(n, per));
      boolean ok = acc != null;
      for (Future<Pairing> f : futures) {
        Pairing part = f.get();
        if (part == null) {
          ok = false;
        } else if (ok && acc.merge(part) != BLST_ERROR.BLST_SUCCESS) {
          ok = false;
        }
      }
      return ok && acc.finalverify();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BlsException("interrupted during batch verification", e);
    } catch (ExecutionException | RuntimeException e) {
      return false;
    }
  }

  /**
   * {@link #batchVerify(List)} for many signatures by few keys, such as a slot leader's
   * preconfirmations: each set's signature and message hash are scaled by a random non-zero 64-bit
   * multiplier {@code r_i} and summed, the hashes per key, and one check {@code e(g1, Σ r_i·σ_i) =
   * Π_k e(pk_k, Σ_{i of k} r_i·H(m_i))} replaces a pairing per set. Its cost per set is a
   * hash-to-curve and two 64-bit multiplications in G2, plus one Miller loop per distinct key and
   * one final exponentiation per call. Sound for independent signatures because keys and signatures
   * are in their prime-order subgroups (checked when decoded): if any {@code σ_i ≠ sk_i·H(m_i)},
   * the sums agree with probability at most 2^-64. True only if every set is valid; an empty list
   * is false.
   */
  public static boolean batchVerifyByKey(List<SignatureSet> sets) {
    BlstLoader.ensureLoaded();
    if (sets == null || sets.isEmpty()) {
      return false;
    }
    for (SignatureSet s : sets) {
      if (s == null || s.signature().isInfinity() || s.publicKey().point().is_inf()) {
        return false;
      }
    }
    try {
      P2 signatures = new P2();
      java.util.Map<BlsPublicKey, P2> hashes = new java.util.LinkedHashMap<>();
      for (SignatureSet s : sets) {
        BigInteger multiplier = randomMultiplier();
        signatures.add(new P2(s.signature().point()).mult(multiplier));
        P2 h = new P2().hash_to(s.messageUnsafe(), DST_SIG_STRING).mult(multiplier);
        hashes.computeIfAbsent(s.publicKey(), k -> new P2()).add(h);
      }
      PT right = null;
      for (java.util.Map.Entry<BlsPublicKey, P2> e : hashes.entrySet()) {
        PT miller = new PT(e.getValue().to_affine(), e.getKey().point());
        right = right == null ? miller : right.mul(miller);
      }
      PT left = new PT(signatures.to_affine(), G1);
      return PT.finalverify(left, right);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static supranational.blst.P1_Affine generatorG1() {
    BlstLoader.ensureLoaded();
    return P1.generator().to_affine();
  }

  /** A random non-zero 64-bit multiplier for batch verification. */
  private static BigInteger randomMultiplier() {
    long r;
    do {
      r = RANDOM.nextLong();
    } while (r == 0);
    return new BigInteger(Long.toUnsignedString(r));
  }

  private static Pairing batchChunk(
      List<SignatureSet> sets, BigInteger[] multipliers, int from, int to) {
    Pairing ctx = new Pairing(true, DST_SIG_STRING);
    for (int i = from; i < to; i++) {
      SignatureSet s = sets.get(i);
      BLST_ERROR err =
          ctx.mul_n_aggregate(
              s.publicKey().point(), s.signature().point(), multipliers[i], s.messageUnsafe());
      if (err != BLST_ERROR.BLST_SUCCESS) {
        return null;
      }
    }
    ctx.commit();
    return ctx;
  }

  // ---------------------------------------------------------------- byte-level variants

  /** {@link #verify} on raw encodings; false for anything malformed. */
  public static boolean verifyEncoded(byte[] publicKey, byte[] message, byte[] signature) {
    try {
      return verify(BlsPublicKey.fromBytes(publicKey), message, BlsSignature.fromBytes(signature));
    } catch (BlsException e) {
      return false;
    }
  }

  /** {@link #fastAggregateVerify} on raw encodings; false for anything malformed. */
  public static boolean fastAggregateVerifyEncoded(
      List<byte[]> publicKeys, byte[] message, byte[] signature) {
    try {
      return fastAggregateVerify(
          decodeKeys(publicKeys), message, BlsSignature.fromBytes(signature));
    } catch (BlsException e) {
      return false;
    }
  }

  /** {@link #aggregateVerify} on raw encodings; false for anything malformed. */
  public static boolean aggregateVerifyEncoded(
      List<byte[]> publicKeys, List<byte[]> messages, byte[] signature) {
    try {
      return aggregateVerify(decodeKeys(publicKeys), messages, BlsSignature.fromBytes(signature));
    } catch (BlsException e) {
      return false;
    }
  }

  /** {@link #batchVerify} on raw encodings; false for anything malformed or mismatched sizes. */
  public static boolean batchVerifyEncoded(
      List<byte[]> publicKeys, List<byte[]> messages, List<byte[]> signatures) {
    if (publicKeys == null
        || messages == null
        || signatures == null
        || publicKeys.size() != messages.size()
        || publicKeys.size() != signatures.size()) {
      return false;
    }
    try {
      List<SignatureSet> sets = new ArrayList<>(publicKeys.size());
      for (int i = 0; i < publicKeys.size(); i++) {
        if (messages.get(i) == null) {
          return false;
        }
        sets.add(
            new SignatureSet(
                BlsPublicKey.fromBytes(publicKeys.get(i)),
                messages.get(i),
                BlsSignature.fromBytes(signatures.get(i))));
      }
      return batchVerify(sets);
    } catch (BlsException e) {
      return false;
    }
  }

  private static List<BlsPublicKey> decodeKeys(List<byte[]> encoded) {
    if (encoded == null) {
      throw new BlsEncodingException("key list is null");
    }
    List<BlsPublicKey> keys = new ArrayList<>(encoded.size());
    for (byte[] b : encoded) {
      keys.add(BlsPublicKey.fromBytes(b));
    }
    return keys;
  }

  // ---------------------------------------------------------------- hash to curve

  /**
   * RFC 9380 hash_to_curve for BLS12381G2_XMD:SHA-256_SSWU_RO_, returned in the 256-byte EIP-2537
   * layout (x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1).
   *
   * @param dst 1 to 255 bytes of printable ASCII (blst takes the DST as a string)
   */
  public static byte[] hashToG2Eip2537(byte[] message, byte[] dst) {
    BlstLoader.ensureLoaded();
    Objects.requireNonNull(message, "message");
    P2 p = new P2().hash_to(message, asciiDst(dst));
    return BlsSignature.g2ToEip2537(p.to_affine());
  }

  /** The signature-DST hash of a message as a G2 point in EIP-2537 layout. */
  public static byte[] hashToG2Eip2537(byte[] message) {
    return hashToG2Eip2537(message, dstSig());
  }

  static String asciiDst(byte[] dst) {
    if (dst == null || dst.length == 0 || dst.length > 255) {
      throw new BlsException("DST must be 1 to 255 bytes");
    }
    for (byte b : dst) {
      if (b < 0x20 || b > 0x7e) {
        throw new BlsException("DST must be printable ASCII");
      }
    }
    return new String(dst, StandardCharsets.US_ASCII);
  }

  /**
   * RFC 9380 §5.3.1 expand_message_xmd with SHA-256, including the §5.3.3 rule for DSTs longer than
   * 255 bytes.
   */
  public static byte[] expandMessageXmd(byte[] message, byte[] dst, int lenInBytes) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(dst, "dst");
    final int bInBytes = 32;
    final int rInBytes = 64;
    MessageDigest sha = sha256();
    byte[] dstEff = dst;
    if (dst.length > 255) {
      sha.update("H2C-OVERSIZE-DST-".getBytes(StandardCharsets.US_ASCII));
      dstEff = sha.digest(dst);
    }
    int ell = (lenInBytes + bInBytes - 1) / bInBytes;
    if (lenInBytes <= 0 || ell > 255 || lenInBytes > 65535) {
      throw new BlsException("expand_message_xmd: len_in_bytes out of range");
    }
    byte[] dstPrime = new byte[dstEff.length + 1];
    System.arraycopy(dstEff, 0, dstPrime, 0, dstEff.length);
    dstPrime[dstEff.length] = (byte) dstEff.length;
    sha.update(new byte[rInBytes]);
    sha.update(message);
    sha.update(new byte[] {(byte) (lenInBytes >>> 8), (byte) lenInBytes, 0});
    sha.update(dstPrime);
    byte[] b0 = sha.digest();
    sha.update(b0);
    sha.update((byte) 1);
    sha.update(dstPrime);
    byte[] bi = sha.digest();
    byte[] out = new byte[lenInBytes];
    int pos = 0;
    for (int i = 1; ; i++) {
      int take = Math.min(bInBytes, lenInBytes - pos);
      System.arraycopy(bi, 0, out, pos, take);
      pos += take;
      if (pos >= lenInBytes) {
        break;
      }
      byte[] x = new byte[bInBytes];
      for (int j = 0; j < bInBytes; j++) {
        x[j] = (byte) (b0[j] ^ bi[j]);
      }
      sha.update(x);
      sha.update((byte) (i + 1));
      sha.update(dstPrime);
      bi = sha.digest();
    }
    return out;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /** Daemon worker threads for batch verification and optimistic aggregation. */
  static final class Workers {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    static final ExecutorService POOL =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "bls-worker-" + COUNTER.incrementAndGet());
              t.setDaemon(true);
              return t;
            });

    private Workers() {}
  }
}
