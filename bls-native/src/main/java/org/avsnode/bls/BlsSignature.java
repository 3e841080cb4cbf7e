package org.avsnode.bls;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import supranational.blst.P2;
import supranational.blst.P2_Affine;

/**
 * A BLS12-381 signature: a point of G2. Decoding checks the encoding, the curve equation and the
 * subgroup; the point at infinity decodes (as the IETF draft and the reference vectors require) but
 * never verifies against a valid key.
 */
public final class BlsSignature {
  public static final int COMPRESSED_SIZE = 96;
  public static final int EIP2537_SIZE = 256;

  private final byte[] compressed;
  private final P2_Affine point;

  private BlsSignature(byte[] compressed, P2_Affine point) {
    this.compressed = compressed;
    this.point = point;
  }

  static BlsSignature fromTrustedPoint(P2_Affine point) {
    return new BlsSignature(point.compress(), point);
  }

  /**
   * Strict decoding of the 96-byte compressed form.
   *
   * @throws BlsEncodingException for a wrong length, bad flags, a point off the curve or outside G2
   */
  public static BlsSignature fromBytes(byte[] bytes) {
    byte[] copy = checkedCopy(bytes);
    return validated(copy, parse(copy));
  }

  /**
   * The cheap part of {@link #fromBytes}: the length, the flags and the curve equation, without the
   * G2 subgroup check (about two thirds of a decode's cost). For intake paths that aggregate with
   * {@link OptimisticAggregator#aggregateEncoded}, which makes that check once, on the aggregate,
   * and singles out the offenders only if it fails. Nothing that passes here may be used as a
   * {@code BlsSignature} without {@link #fromBytes}.
   *
   * @return whether the bytes encode the point at infinity
   * @throws BlsEncodingException for a wrong length, bad flags or a point off the curve
   */
  public static boolean checkEncodingOnCurve(byte[] bytes) {
    P2_Affine p = parse(checkedCopy(bytes));
    if (p.is_inf()) {
      return true;
    }
    if (!p.on_curve()) {
      throw new BlsEncodingException("signature is not on the curve");
    }
    return false;
  }

  /** A copy of the 96 bytes after the length and flag checks. */
  private static byte[] checkedCopy(byte[] bytes) {
    BlstLoader.ensureLoaded();
    if (bytes == null || bytes.length != COMPRESSED_SIZE) {
      throw new BlsEncodingException(
          "signature must be "
              + COMPRESSED_SIZE
              + " bytes, got "
              + (bytes == null ? "null" : bytes.length));
    }
    Encoding.checkCompressedFlags(bytes, "signature");
    return bytes.clone();
  }

  private static P2_Affine parse(byte[] compressed) {
    try {
      return new P2_Affine(compressed);
    } catch (RuntimeException e) {
      throw new BlsEncodingException("signature is not a valid G2 point: " + e.getMessage());
    }
  }

  private static BlsSignature validated(byte[] compressed, P2_Affine p) {
    if (!p.is_inf()) {
      if (!p.on_curve()) {
        throw new BlsEncodingException("signature is not on the curve");
      }
      if (!p.in_group()) {
        throw new BlsEncodingException("signature is not in the G2 subgroup");
      }
    }
    return new BlsSignature(compressed, p);
  }

  /** Parses 0x-prefixed (or bare) hex of the compressed form; same checks as {@link #fromBytes}. */
  public static BlsSignature fromHex(String hex) {
    return fromBytes(Hex.fromHex(hex));
  }

  /**
   * Decodes the EIP-2537 G2 form: x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1, each a 64-byte big-endian field
   * element with 16 zero leading bytes; 256 zero bytes is the point at infinity.
   */
  public static BlsSignature fromEip2537(byte[] bytes) {
    BlstLoader.ensureLoaded();
    if (bytes == null || bytes.length != EIP2537_SIZE) {
      throw new BlsEncodingException(
          "EIP-2537 G2 point must be "
              + EIP2537_SIZE
              + " bytes, got "
              + (bytes == null ? "null" : bytes.length));
    }
    if (Encoding.allZero(bytes)) {
      return infinity();
    }
    // blst's uncompressed layout (ZCash): x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0, 48 bytes each.
    byte[] raw = new byte[4 * Encoding.FP];
    int[] order = {1, 0, 3, 2};
    for (int i = 0; i < 4; i++) {
      byte[] fp = Encoding.eipFpTo48(bytes, order[i] * Encoding.EIP_FP, "signature coordinate");
      System.arraycopy(fp, 0, raw, i * Encoding.FP, Encoding.FP);
    }
    P2_Affine p;
    try {
      p = new P2_Affine(raw);
    } catch (RuntimeException e) {
      throw new BlsEncodingException("signature is not a valid G2 point: " + e.getMessage());
    }
    if (p.is_inf() || !p.on_curve()) {
      throw new BlsEncodingException("signature is not on the curve");
    }
    return validated(p.compress(), p);
  }

  /** The point at infinity (the identity of G2). */
  public static BlsSignature infinity() {
    BlstLoader.ensureLoaded();
    byte[] enc = new byte[COMPRESSED_SIZE];
    enc[0] = (byte) 0xc0;
    return new BlsSignature(enc, new P2_Affine(enc));
  }

  /**
   * Sums signatures with the unchecked point addition (each was checked at decoding).
   *
   * @throws BlsException for an empty list
   */
  public static BlsSignature aggregate(List<BlsSignature> signatures) {
    BlstLoader.ensureLoaded();
    Objects.requireNonNull(signatures, "signatures");
    if (signatures.isEmpty()) {
      throw new BlsException("cannot aggregate an empty list of signatures");
    }
    if (signatures.size() == 1) {
      return Objects.requireNonNull(signatures.get(0), "signature");
    }
    return fromTrustedPoint(sum(signatures).to_affine());
  }

  static P2 sum(List<BlsSignature> signatures) {
    P2 acc = new P2();
    for (BlsSignature s : signatures) {
      acc.add(Objects.requireNonNull(s, "signature").point);
    }
    return acc;
  }

  P2_Affine point() {
    return point;
  }

  public boolean isInfinity() {
    return point.is_inf();
  }

  /** The 96-byte compressed form (a copy). */
  public byte[] toBytes() {
    return compressed.clone();
  }

  /** 0x-prefixed lowercase hex of the compressed form. */
  public String toHex() {
    return Hex.toHexPrefixed(compressed);
  }

  /** The 256-byte EIP-2537 form (x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1); all zero for infinity. */
  public byte[] toEip2537() {
    return g2ToEip2537(point);
  }

  static byte[] g2ToEip2537(P2_Affine p) {
    byte[] out = new byte[EIP2537_SIZE];
    if (p.is_inf()) {
      return out;
    }
    byte[] raw = p.serialize(); // x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0
    int[] order = {1, 0, 3, 2};
    for (int i = 0; i < 4; i++) {
      Encoding.put48AsEip(raw, i * Encoding.FP, out, order[i] * Encoding.EIP_FP);
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlsSignature other && Arrays.equals(compressed, other.compressed);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(compressed);
  }

  @Override
  public String toString() {
    return "BlsSignature[" + toHex() + "]";
  }
}
