package org.avsnode.bls;

import java.math.BigInteger;
import java.util.Arrays;

/** Byte-layout helpers shared by the key and signature types (no blst types here). */
final class Encoding {
  /** The BLS12-381 base field modulus p. */
  static final BigInteger P =
      new BigInteger(
          "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab",
          16);

  static final int FP = 48;
  static final int EIP_FP = 64;

  private Encoding() {}

  /**
   * Checks the three flag bits of a compressed point (ZCash layout). Returns true when the encoding
   * is the canonical point at infinity, false for a finite point, and throws for anything else.
   */
  static boolean checkCompressedFlags(byte[] in, String what) {
    int b0 = in[0] & 0xff;
    if ((b0 & 0x80) == 0) {
      throw new BlsEncodingException(what + ": compression flag (0x80) not set");
    }
    if ((b0 & 0x40) != 0) {
      if ((b0 & 0x3f) != 0x00 || (b0 & 0x20) != 0) {
        throw new BlsEncodingException(what + ": infinity flag with sign flag or x bits set");
      }
      for (int i = 1; i < in.length; i++) {
        if (in[i] != 0) {
          throw new BlsEncodingException(what + ": infinity flag with non-zero x");
        }
      }
      return true;
    }
    return false;
  }

  /**
   * Reads one 64-byte EIP-2537 field element at {@code off}, checks the 16 leading zero bytes and
   * value < p, and returns the 48-byte big-endian form.
   */
  static byte[] eipFpTo48(byte[] in, int off, String what) {
    for (int i = 0; i < 16; i++) {
      if (in[off + i] != 0) {
        throw new BlsEncodingException(what + ": top 16 bytes of a field element must be zero");
      }
    }
    byte[] fp = Arrays.copyOfRange(in, off + 16, off + EIP_FP);
    if (new BigInteger(1, fp).compareTo(P) >= 0) {
      throw new BlsEncodingException(what + ": field element not below the modulus");
    }
    return fp;
  }

  static void put48AsEip(byte[] src, int srcOff, byte[] dst, int dstOff) {
    System.arraycopy(src, srcOff, dst, dstOff + 16, FP);
  }

  static boolean allZero(byte[] in) {
    int acc = 0;
    for (byte b : in) {
      acc |= b;
    }
    return acc == 0;
  }
}
