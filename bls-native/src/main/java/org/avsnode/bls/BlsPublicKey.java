package org.avsnode.bls;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import supranational.blst.P1;
import supranational.blst.P1_Affine;

/**
 * A BLS12-381 public key: a point of G1, never the identity. Instances are always valid
 * (KeyValidate ran at construction: on curve, in the prime-order subgroup, not infinity), so they
 * can be added with the cheap unchecked addition on hot paths.
 */
public final class BlsPublicKey {
  public static final int COMPRESSED_SIZE = 48;
  public static final int EIP2537_SIZE = 128;

  private final byte[] compressed;
  private final P1_Affine point;

  private BlsPublicKey(byte[] compressed, P1_Affine point) {
    this.compressed = compressed;
    this.point = point;
  }

  /** Internal: wraps a point known to be valid (derived from a secret key or a sum of keys). */
  static BlsPublicKey fromTrustedPoint(P1_Affine point) {
    if (point.is_inf()) {
      throw new BlsException("public key is the point at infinity");
    }
    return new BlsPublicKey(point.compress(), point);
  }

  /**
   * Strict decoding of the 48-byte compressed form (KeyValidate).
   *
   * @throws BlsEncodingException for a wrong length, bad flags, a point off the curve or outside
   *     G1, or the point at infinity
   */
  public static BlsPublicKey fromBytes(byte[] bytes) {
    BlstLoader.ensureLoaded();
    if (bytes == null || bytes.length != COMPRESSED_SIZE) {
      throw new BlsEncodingException(
          "public key must be "
              + COMPRESSED_SIZE
              + " bytes, got "
              + (bytes == null ? "null" : bytes.length));
    }
    if (Encoding.checkCompressedFlags(bytes, "public key")) {
      throw new BlsEncodingException("public key is the point at infinity");
    }
    byte[] copy = bytes.clone();
    P1_Affine p;
    try {
      p = new P1_Affine(copy);
    } catch (RuntimeException e) {
      throw new BlsEncodingException("public key is not a valid G1 point: " + e.getMessage());
    }
    return validated(copy, p);
  }

  private static BlsPublicKey validated(byte[] compressed, P1_Affine p) {
    if (p.is_inf()) {
      throw new BlsEncodingException("public key is the point at infinity");
    }
    if (!p.on_curve()) {
      throw new BlsEncodingException("public key is not on the curve");
    }
    if (!p.in_group()) {
      throw new BlsEncodingException("public key is not in the G1 subgroup");
    }
    return new BlsPublicKey(compressed, p);
  }

  /**
   * Plain G1 point decoding as the IETF draft's deserialization (the {@code deserialization_G1}
   * vectors): 48 bytes, correct flags, on the curve, in the subgroup. Unlike {@link #fromBytes} the
   * point at infinity is accepted here, because it is a valid G1 point, though not a valid key.
   */
  public static boolean isValidG1Point(byte[] bytes) {
    BlstLoader.ensureLoaded();
    if (bytes == null || bytes.length != COMPRESSED_SIZE) {
      return false;
    }
    try {
      if (Encoding.checkCompressedFlags(bytes, "G1 point")) {
        return true;
      }
      P1_Affine p = new P1_Affine(bytes.clone());
      return !p.is_inf() && p.on_curve() && p.in_group();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Parses 0x-prefixed (or bare) hex of the compressed form; same checks as {@link #fromBytes}. */
  public static BlsPublicKey fromHex(String hex) {
    return fromBytes(Hex.fromHex(hex));
  }

  /**
   * Decodes the EIP-2537 uncompressed form: x ‖ y, each a 64-byte big-endian field element whose
   * top 16 bytes are zero. The all-zero (infinity) encoding is rejected, as are points off the
   * curve or outside G1.
   */
  public static BlsPublicKey fromEip2537(byte[] bytes) {
    BlstLoader.ensureLoaded();
    if (bytes == null || bytes.length != EIP2537_SIZE) {
      throw new BlsEncodingException(
          "EIP-2537 G1 point must be "
              + EIP2537_SIZE
              + " bytes, got "
              + (bytes == null ? "null" : bytes.length));
    }
    if (Encoding.allZero(bytes)) {
      throw new BlsEncodingException("public key is the point at infinity");
    }
    byte[] raw = new byte[2 * Encoding.FP];
    System.arraycopy(Encoding.eipFpTo48(bytes, 0, "public key x"), 0, raw, 0, Encoding.FP);
    System.arraycopy(
        Encoding.eipFpTo48(bytes, Encoding.EIP_FP, "public key y"),
        0,
        raw,
        Encoding.FP,
        Encoding.FP);
    P1_Affine p;
    try {
      p = new P1_Affine(raw);
    } catch (RuntimeException e) {
      throw new BlsEncodingException("public key is not a valid G1 point: " + e.getMessage());
    }
    if (p.is_inf() || !p.on_curve()) {
      throw new BlsEncodingException("public key is not on the curve");
    }
    return validated(p.compress(), p);
  }

  /**
   * Sums keys with the unchecked point addition (every key was validated at decoding).
   *
   * @throws BlsException for an empty list or when the sum is the identity
   */
  public static BlsPublicKey aggregate(List<BlsPublicKey> keys) {
    BlstLoader.ensureLoaded();
    Objects.requireNonNull(keys, "keys");
    if (keys.isEmpty()) {
      throw new BlsException("cannot aggregate an empty list of public keys");
    }
    if (keys.size() == 1) {
      return Objects.requireNonNull(keys.get(0), "key");
    }
    return fromTrustedPoint(sum(keys).to_affine());
  }

  static P1 sum(List<BlsPublicKey> keys) {
    P1 acc = new P1();
    for (BlsPublicKey k : keys) {
      acc.add(Objects.requireNonNull(k, "key").point);
    }
    return acc;
  }

  P1_Affine point() {
    return point;
  }

  /** The 48-byte compressed form (a copy). */
  public byte[] toBytes() {
    return compressed.clone();
  }

  /** 0x-prefixed lowercase hex of the compressed form. */
  public String toHex() {
    return Hex.toHexPrefixed(compressed);
  }

  /** The 128-byte EIP-2537 form: x ‖ y, each a 64-byte big-endian field element. */
  public byte[] toEip2537() {
    byte[] raw = point.serialize(); // 96 bytes: x ‖ y
    byte[] out = new byte[EIP2537_SIZE];
    Encoding.put48AsEip(raw, 0, out, 0);
    Encoding.put48AsEip(raw, Encoding.FP, out, Encoding.EIP_FP);
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlsPublicKey other && Arrays.equals(compressed, other.compressed);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(compressed);
  }

  @Override
  public String toString() {
    return "BlsPublicKey[" + toHex() + "]";
  }
}
