package org.avsnode.bls;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import supranational.blst.P1;
import supranational.blst.P2;
import supranational.blst.SecretKey;

/**
 * A BLS12-381 secret key: a scalar in [1, r). Signs with the proof-of-possession ciphersuite.
 * {@link #toString()} never shows the key; {@link #destroy()} wipes it, after which every use
 * throws.
 */
public final class BlsSecretKey {
  public static final int SIZE = 32;

  /** The order r of G1/G2. */
  static final BigInteger R =
      new BigInteger("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001", 16);

  private final byte[] bytes;
  private final SecretKey key;
  private final BlsPublicKey publicKey;
  private volatile boolean destroyed;

  private BlsSecretKey(byte[] bytes, SecretKey key) {
    this.bytes = bytes;
    this.key = key;
    this.publicKey = BlsPublicKey.fromTrustedPoint(new P1(key).to_affine());
  }

  /** A fresh uniformly random key in [1, r). */
  public static BlsSecretKey random(SecureRandom random) {
    Objects.requireNonNull(random, "random");
    BlstLoader.ensureLoaded();
    byte[] candidate = new byte[SIZE];
    while (true) {
      random.nextBytes(candidate);
      // Rejection sampling on 255 bits gives a uniform value below r (r > 2^254).
      candidate[0] &= 0x7f;
      BigInteger v = new BigInteger(1, candidate);
      if (v.signum() != 0 && v.compareTo(R) < 0) {
        BlsSecretKey k = fromValidBytes(candidate.clone());
        Arrays.fill(candidate, (byte) 0);
        return k;
      }
    }
  }

  /**
   * The key from its 32-byte big-endian encoding.
   *
   * @throws BlsEncodingException for a wrong length, zero, or a value not below r
   */
  public static BlsSecretKey fromBytes(byte[] bytes) {
    BlstLoader.ensureLoaded();
    if (bytes == null || bytes.length != SIZE) {
      throw new BlsEncodingException(
          "secret key must be " + SIZE + " bytes, got " + (bytes == null ? "null" : bytes.length));
    }
    BigInteger v = new BigInteger(1, bytes);
    if (v.signum() == 0) {
      throw new BlsEncodingException("secret key must not be zero");
    }
    if (v.compareTo(R) >= 0) {
      throw new BlsEncodingException("secret key must be below the group order r");
    }
    return fromValidBytes(bytes.clone());
  }

  private static BlsSecretKey fromValidBytes(byte[] copy) {
    SecretKey sk = new SecretKey();
    sk.from_bendian(copy);
    return new BlsSecretKey(copy, sk);
  }

  /**
   * EIP-2333 KeyGen (HKDF_mod_r): derives the master secret key from input keying material.
   *
   * @param ikm at least 32 bytes of secret entropy
   */
  public static BlsSecretKey keyGen(byte[] ikm) {
    BlstLoader.ensureLoaded();
    if (ikm == null || ikm.length < 32) {
      throw new BlsException("EIP-2333 KeyGen needs at least 32 bytes of input keying material");
    }
    SecretKey sk = new SecretKey();
    sk.derive_master_eip2333(ikm);
    return fromDerived(sk);
  }

  /** EIP-2333 child derivation (hardened, as every EIP-2333 derivation is). */
  public BlsSecretKey deriveChild(long index) {
    if (index < 0 || index > 0xffffffffL) {
      throw new BlsException("EIP-2333 child index must be a uint32");
    }
    SecretKey sk = new SecretKey();
    sk.derive_child_eip2333(live(), index);
    return fromDerived(sk);
  }

  private static BlsSecretKey fromDerived(SecretKey sk) {
    byte[] be = sk.to_bendian();
    if (new BigInteger(1, be).signum() == 0) {
      throw new BlsException("derived secret key is zero");
    }
    return new BlsSecretKey(be, sk);
  }

  private SecretKey live() {
    if (destroyed) {
      throw new BlsException("secret key has been destroyed");
    }
    return key;
  }

  /** The 32-byte big-endian encoding (a copy the caller should wipe). */
  public byte[] toBytes() {
    live();
    return bytes.clone();
  }

  public BlsPublicKey publicKey() {
    live();
    return publicKey;
  }

  /** Sign with DST {@code BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_}. */
  public BlsSignature sign(byte[] message) {
    Objects.requireNonNull(message, "message");
    return signWithDst(message, Bls.DST_SIG_STRING);
  }

  /**
   * The proof of possession: a signature over the 48-byte compressed public key with DST {@code
   * BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_}.
   */
  public BlsSignature proofOfPossession() {
    return signWithDst(publicKey().toBytes(), Bls.DST_POP_STRING);
  }

  private BlsSignature signWithDst(byte[] message, String dst) {
    SecretKey sk = live();
    P2 h = new P2().hash_to(message, dst);
    return BlsSignature.fromTrustedPoint(h.sign_with(sk).to_affine());
  }

  /** Overwrites the key material; the object is unusable afterwards. */
  public void destroy() {
    destroyed = true;
    Arrays.fill(bytes, (byte) 0);
    key.from_bendian(new byte[SIZE]);
  }

  public boolean isDestroyed() {
    return destroyed;
  }

  /** Compares the keys in constant time. */
  @Override
  public boolean equals(Object o) {
    return o instanceof BlsSecretKey other
        && java.security.MessageDigest.isEqual(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return publicKey.hashCode();
  }

  @Override
  public String toString() {
    return "BlsSecretKey[<redacted>]";
  }
}
