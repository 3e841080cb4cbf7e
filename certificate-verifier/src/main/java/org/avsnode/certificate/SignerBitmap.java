package org.avsnode.certificate;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;

/**
 * The signer set of a certificate as a bitmap over the operator set's ordered operator list (see
 * {@link OperatorOrdering}).
 *
 * <p>Bit order: operator {@code i} is bit {@code i % 8} (least-significant bit first) of byte
 * {@code i / 8}; a set bit means the operator signed. For {@code n} operators the bitmap is exactly
 * {@code ceil(n / 8)} bytes and every bit at a position {@code >= n} (in the last byte) is zero. So
 * for 10 operators where operators 0, 3 and 9 signed the bitmap is {@code 0x0902}.
 */
public final class SignerBitmap {
  private final byte[] bytes;
  private final int size;

  private SignerBitmap(byte[] bytes, int size) {
    this.bytes = bytes;
    this.size = size;
  }

  /** The number of bytes a bitmap over {@code operatorCount} operators has. */
  public static int byteLength(int operatorCount) {
    return (operatorCount + 7) / 8;
  }

  /**
   * A bitmap over {@code operatorCount} operators with the given positions set.
   *
   * @throws IllegalArgumentException for a position outside [0, operatorCount)
   */
  public static SignerBitmap of(int operatorCount, Collection<Integer> signers) {
    if (operatorCount < 0) {
      throw new IllegalArgumentException("operatorCount must not be negative");
    }
    byte[] b = new byte[byteLength(operatorCount)];
    for (int i : signers) {
      if (i < 0 || i >= operatorCount) {
        throw new IllegalArgumentException(
            "signer position " + i + " outside [0, " + operatorCount + ")");
      }
      b[i >>> 3] |= (byte) (1 << (i & 7));
    }
    return new SignerBitmap(b, operatorCount);
  }

  /**
   * Interprets raw bitmap bytes for a set of {@code operatorCount} operators.
   *
   * @throws IllegalArgumentException when the length is not ceil(n/8) or a bit at a position {@code
   *     >= operatorCount} is set; the message says which
   */
  public static SignerBitmap fromBytes(byte[] raw, int operatorCount) {
    int expected = byteLength(operatorCount);
    if (raw.length != expected) {
      throw new IllegalArgumentException(
          "bitmap is "
              + raw.length
              + " bytes; "
              + operatorCount
              + " operators need exactly "
              + expected);
    }
    int stray = firstStrayBit(raw, operatorCount);
    if (stray >= 0) {
      throw new IllegalArgumentException(
          "bit " + stray + " is set but the operator set has only " + operatorCount + " operators");
    }
    return new SignerBitmap(raw.clone(), operatorCount);
  }

  /** The first set bit at a position {@code >= operatorCount}, or -1. */
  static int firstStrayBit(byte[] raw, int operatorCount) {
    for (int i = operatorCount; i < raw.length * 8; i++) {
      if ((raw[i >>> 3] & (1 << (i & 7))) != 0) {
        return i;
      }
    }
    return -1;
  }

  /** The number of operators the bitmap covers. */
  public int size() {
    return size;
  }

  public boolean isSigner(int position) {
    if (position < 0 || position >= size) {
      throw new IndexOutOfBoundsException(position);
    }
    return (bytes[position >>> 3] & (1 << (position & 7))) != 0;
  }

  public int signerCount() {
    return count(bytes);
  }

  /** The number of bits set in a raw signer bitmap (a certificate's {@code signers()}). */
  public static int count(byte[] raw) {
    int c = 0;
    for (byte b : raw) {
      c += Integer.bitCount(b & 0xff);
    }
    return c;
  }

  /** Signer positions, ascending. */
  public int[] signers() {
    BitSet bs = BitSet.valueOf(bytes);
    return bs.stream().toArray();
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignerBitmap s && size == s.size && Arrays.equals(bytes, s.bytes);
  }

  @Override
  public int hashCode() {
    return 31 * size + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "SignerBitmap[" + size + " operators, signers " + Arrays.toString(signers()) + "]";
  }
}
