package org.avsnode.squad.preconf;

import java.math.BigInteger;
import java.security.SignatureException;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Sign;
import org.web3j.crypto.SignedRawTransaction;
import org.web3j.utils.Numeric;

/**
 * The sender of a signed transaction: the same signing payload and {@code v} handling as web3j's
 * {@link SignedRawTransaction#getFrom()}, with the signature held to Ethereum's rules for
 * transactions (as geth and reth check them): {@code 0 < r < n}, {@code 0 < s ≤ n/2} (EIP-2: the
 * high-s twin of a signature is not a second valid signature) and a y parity of 0 or 1. A leader
 * must not preconfirm a transaction the L2 node of a real chain would reject: it could not include
 * it, and a preconfirmation it cannot keep is a slashable breach.
 *
 * <p>The public key is recovered by libsecp256k1 (Bitcoin Core's library, through JNI) where it
 * loads, on Linux x86-64 and aarch64, and checks itself against the Java path at start; elsewhere
 * by Bouncy Castle. Recovery was the largest part of a preconfirmation's CPU in Java (about 40% of
 * the endpoint's worker time), and the native library does it about 3.4 times faster. A test
 * compares both paths and web3j over every accepted transaction type and over malformed signatures.
 */
final class SenderRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(SenderRecovery.class);
  private static final X9ECParameters PARAMS = Sign.CURVE_PARAMS;
  private static final ECCurve CURVE = PARAMS.getCurve();
  private static final ECPoint G = PARAMS.getG();
  private static final BigInteger N = PARAMS.getN();
  private static final BigInteger HALF_N = N.shiftRight(1);
  private static final BigInteger P = CURVE.getField().getCharacteristic();

  static {
    if (!PARAMS.getH().equals(BigInteger.ONE)) {
      throw new IllegalStateException("sender recovery assumes a cofactor of 1");
    }
  }

  private SenderRecovery() {}

  /** Which implementation recovers keys in this process, for the node's start-up log. */
  static String implementation() {
    return NativeLib.LIB != null ? "libsecp256k1 (native)" : "Bouncy Castle (Java)";
  }

  /** The sender's address, lower-case and 0x-prefixed. */
  static String sender(SignedRawTransaction signed) throws SignatureException {
    Sign.SignatureData sd = signed.getSignatureData();
    byte[] payload = signed.getEncodedTransaction(signed.getChainId());
    byte v = signed.getRealV(Numeric.toBigInt(sd.getV()));
    byte[] r = sd.getR();
    byte[] s = sd.getS();
    if (r == null || r.length != 32 || s == null || s.length != 32) {
      throw new SignatureException("r and s must be 32 bytes");
    }
    int recId = (v & 0xFF) - 27;
    if (recId < 0 || recId > 1) {
      throw new SignatureException("the y parity must be 0 or 1, got v " + (v & 0xFF));
    }
    byte[] key = recover(recId, r, s, Hash.sha3(payload));
    byte[] hash = Hash.sha3(key);
    return Numeric.toHexString(Arrays.copyOfRange(hash, 12, 32));
  }

  /**
   * The 64-byte uncompressed public key (x ‖ y) that signed {@code hash}, for a signature that
   * meets Ethereum's rules for transactions.
   */
  static byte[] recover(int recId, byte[] r32, byte[] s32, byte[] hash) throws SignatureException {
    checkCanonical(recId, r32, s32);
    return NativeLib.LIB != null
        ? recoverNative(recId, r32, s32, hash)
        : recoverJava(recId, r32, s32, hash);
  }

  /** {@code 0 < r < n}, {@code 0 < s ≤ n/2}, y parity 0 or 1. */
  static void checkCanonical(int recId, byte[] r32, byte[] s32) throws SignatureException {
    if (recId < 0 || recId > 1) {
      throw new SignatureException("the y parity must be 0 or 1, got " + recId);
    }
    BigInteger r = new BigInteger(1, r32);
    BigInteger s = new BigInteger(1, s32);
    if (r.signum() == 0 || r.compareTo(N) >= 0) {
      throw new SignatureException("r is not in 1..n-1");
    }
    if (s.signum() == 0) {
      throw new SignatureException("s is zero");
    }
    if (s.compareTo(HALF_N) > 0) {
      throw new SignatureException("s is above n/2 (EIP-2: only the low-s form is valid)");
    }
  }

  /** libsecp256k1's recovery; the caller has checked the signature's ranges. */
  static byte[] recoverNative(int recId, byte[] r32, byte[] s32, byte[] hash)
      throws SignatureException {
    fr.acinq.secp256k1.Secp256k1 lib = NativeLib.LIB;
    if (lib == null) {
      throw new IllegalStateException("libsecp256k1 is not loaded");
    }
    return recoverWith(lib, recId, r32, s32, hash);
  }

  /** {@link #recoverNative} by {@code lib}, which the self-check hands in before it is adopted. */
  private static byte[] recoverWith(
      fr.acinq.secp256k1.Secp256k1 lib, int recId, byte[] r32, byte[] s32, byte[] hash)
      throws SignatureException {
    byte[] sig = new byte[64];
    System.arraycopy(r32, 0, sig, 0, 32);
    System.arraycopy(s32, 0, sig, 32, 32);
    byte[] pub;
    try {
      pub = lib.ecdsaRecover(sig, hash, recId);
    } catch (RuntimeException e) {
      // Secp256k1Exception: r is not the x of a curve point, or the key is the point at infinity
      throw new SignatureException("no public key can be recovered");
    }
    if (pub == null || pub.length != 65 || pub[0] != 0x04) {
      throw new SignatureException("libsecp256k1 returned no uncompressed key");
    }
    return Arrays.copyOfRange(pub, 1, 65);
  }

  /**
   * Bouncy Castle's recovery, as web3j does it with one step left out: web3j checks that {@code
   * n·R} is the point at infinity, a full scalar multiplication that proves nothing on secp256k1,
   * whose cofactor is 1 (every point of the curve has order {@code n}).
   */
  static byte[] recoverJava(int recId, byte[] r32, byte[] s32, byte[] hash)
      throws SignatureException {
    BigInteger r = new BigInteger(1, r32);
    BigInteger s = new BigInteger(1, s32);
    BigInteger x = r.add(BigInteger.valueOf(recId / 2).multiply(N));
    if (x.compareTo(P) >= 0) {
      throw new SignatureException("no point with this r");
    }
    byte[] compressed = new byte[33];
    compressed[0] = (byte) ((recId & 1) == 1 ? 0x03 : 0x02);
    byte[] xb = x.toByteArray();
    int len = Math.min(xb.length, 32);
    System.arraycopy(xb, xb.length - len, compressed, 33 - len, len);
    ECPoint rPoint;
    try {
      rPoint = CURVE.decodePoint(compressed);
    } catch (IllegalArgumentException e) {
      throw new SignatureException("no public key can be recovered");
    }
    BigInteger e = new BigInteger(1, hash);
    BigInteger rInv = r.modInverse(N);
    BigInteger u1 = N.subtract(e.mod(N)).multiply(rInv).mod(N);
    BigInteger u2 = s.multiply(rInv).mod(N);
    ECPoint q = ECAlgorithms.sumOfTwoMultiplies(G, u1, rPoint, u2).normalize();
    if (q.isInfinity()) {
      throw new SignatureException("no public key can be recovered");
    }
    byte[] enc = q.getEncoded(false);
    return Arrays.copyOfRange(enc, 1, 65);
  }

  /**
   * libsecp256k1, loaded once; null where it does not load, or where it disagrees with the Java
   * path in its self-check (then nothing of it is used).
   */
  static final class NativeLib {
    /** {@code -Davs.secp256k1.native=false} keeps the native library out (Java only). */
    static final String PROPERTY = "avs.secp256k1.native";

    static final fr.acinq.secp256k1.Secp256k1 LIB = load();

    private NativeLib() {}

    private static fr.acinq.secp256k1.Secp256k1 load() {
      if ("false".equals(System.getProperty(PROPERTY))) {
        LOG.info("squad: {}=false; senders are recovered in Java", PROPERTY);
        return null;
      }
      fr.acinq.secp256k1.Secp256k1 lib;
      try {
        lib = fr.acinq.secp256k1.Secp256k1.get();
      } catch (LinkageError | RuntimeException e) {
        LOG.info(
            "squad: libsecp256k1 is not available here ({}); senders are recovered in Java",
            e.toString());
        return null;
      }
      try {
        selfCheck(lib);
        return lib;
      } catch (LinkageError | RuntimeException e) {
        LOG.warn(
            "squad: libsecp256k1 failed its self-check ({}); senders are recovered in Java",
            e.toString());
        return null;
      }
    }

    /**
     * Recovery is defined for any {@code (r, s, hash)} whose {@code r} is the x of a curve point,
     * whoever signed: the check feeds both paths 32 inputs derived from Keccak-256 (no key is made
     * or held here) and requires the same outcome from each, the same key or no key, with at least
     * eight keys recovered.
     */
    static void selfCheck(fr.acinq.secp256k1.Secp256k1 lib) {
      int recovered = 0;
      for (int i = 0; i < 32; i++) {
        byte[] hash = Hash.sha3(new byte[] {'h', (byte) i});
        byte[] r = Hash.sha3(new byte[] {'r', (byte) i});
        byte[] s = Hash.sha3(new byte[] {'s', (byte) i});
        s[0] &= 0x3f; // below n/2
        r[0] &= 0x7f; // below n
        int recId = i & 1;
        byte[] java;
        try {
          java = recoverJava(recId, r, s, hash);
        } catch (SignatureException e) {
          java = null;
        }
        byte[] nat;
        try {
          nat = recoverWith(lib, recId, r, s, hash);
        } catch (SignatureException e) {
          nat = null;
        }
        if (!Arrays.equals(java, nat)) {
          throw new IllegalStateException("it and the Java path disagree on self-check input " + i);
        }
        if (java != null) {
          recovered++;
        }
      }
      if (recovered < 8) {
        throw new IllegalStateException(
            "only " + recovered + " of 32 self-check inputs recovered a key");
      }
    }
  }
}
