package org.avsnode.bls;

/** Small hex helper (lowercase output, lenient optional 0x prefix on input). */
public final class Hex {
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  private Hex() {}

  /** Lowercase hex with a 0x prefix. */
  public static String toHexPrefixed(byte[] bytes) {
    return "0x" + toHex(bytes);
  }

  /** Lowercase hex without prefix. */
  public static String toHex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = DIGITS[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = DIGITS[bytes[i] & 0xf];
    }
    return new String(out);
  }

  /**
   * Decodes hex with or without a 0x prefix.
   *
   * @throws BlsEncodingException on odd length or a non-hex character
   */
  public static byte[] fromHex(String hex) {
    if (hex == null) {
      throw new BlsEncodingException("hex string is null");
    }
    String s = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
    if (s.length() % 2 != 0) {
      throw new BlsEncodingException("hex string has an odd number of digits");
    }
    byte[] out = new byte[s.length() / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = Character.digit(s.charAt(2 * i), 16);
      int lo = Character.digit(s.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new BlsEncodingException("invalid hex digit at position " + (2 * i));
      }
      out[i] = (byte) ((hi << 4) | lo);
    }
    return out;
  }
}
