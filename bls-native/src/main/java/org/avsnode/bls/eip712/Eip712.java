package org.avsnode.bls.eip712;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.bouncycastle.crypto.digests.KeccakDigest;

/** EIP-712 encoding helpers: Keccak-256 and the 32-byte word encodings of atomic types. */
public final class Eip712 {
  static final BigInteger TWO_256 = BigInteger.ONE.shiftLeft(256);
  static final long UINT32_MAX = 0xffffffffL;

  private Eip712() {}

  /** Keccak-256 (the pre-standard padding Ethereum uses) of the concatenation of the parts. */
  public static byte[] keccak256(byte[]... parts) {
    KeccakDigest d = new KeccakDigest(256);
    for (byte[] p : parts) {
      d.update(p, 0, p.length);
    }
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  static byte[] keccakUtf8(String s) {
    return keccak256(s.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] uint(BigInteger v) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[32];
    int len = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - len, out, 32 - len, len);
    return out;
  }

  static byte[] uint(long v) {
    byte[] out = new byte[32];
    for (int i = 0; i < 8; i++) {
      out[31 - i] = (byte) (v >>> (8 * i));
    }
    return out;
  }

  static byte[] bool(boolean b) {
    byte[] out = new byte[32];
    out[31] = (byte) (b ? 1 : 0);
    return out;
  }

  static long checkUint64(String field, long v) {
    if (v < 0) {
      throw new IllegalArgumentException(field + " must be a non-negative uint64 (got " + v + ")");
    }
    return v;
  }

  static long checkUint32(String field, long v) {
    if (v < 0 || v > UINT32_MAX) {
      throw new IllegalArgumentException(field + " must be a uint32 (got " + v + ")");
    }
    return v;
  }

  static BigInteger checkUint256(String field, BigInteger v) {
    Objects.requireNonNull(v, field);
    if (v.signum() < 0 || v.compareTo(TWO_256) >= 0) {
      throw new IllegalArgumentException(field + " must be a uint256");
    }
    return v;
  }

  static byte[] checkBytes32(String field, byte[] v) {
    Objects.requireNonNull(v, field);
    if (v.length != 32) {
      throw new IllegalArgumentException(field + " must be 32 bytes (got " + v.length + ")");
    }
    return v.clone();
  }

  /** keccak256(typeHash ‖ word_1 ‖ ... ‖ word_n). */
  static byte[] hashWords(byte[] typeHash, byte[]... words) {
    byte[][] all = new byte[words.length + 1][];
    all[0] = typeHash;
    System.arraycopy(words, 0, all, 1, words.length);
    return keccak256(all);
  }
}
