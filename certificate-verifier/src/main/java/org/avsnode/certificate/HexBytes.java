package org.avsnode.certificate;

/**
 * Strict hex for the JSON formats: a {@code 0x} prefix followed by exactly two hex digits per byte
 * (either case on input, lowercase on output).
 */
final class HexBytes {
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  private HexBytes() {}

  static String encode(byte[] bytes) {
    char[] out = new char[2 + bytes.length * 2];
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < bytes.length; i++) {
      out[2 + 2 * i] = DIGITS[(bytes[i] >> 4) & 0xf];
      out[3 + 2 * i] = DIGITS[bytes[i] & 0xf];
    }
    return new String(out);
  }

  /**
   * Decodes {@code 0x}-prefixed hex.
   *
   * @param expectedLength the exact byte length required, or -1 for any length
   */
  static byte[] decode(String path, String hex, int expectedLength) throws FormatException {
    if (!hex.startsWith("0x")) {
      throw new FormatException(path, "hex must start with 0x");
    }
    int digits = hex.length() - 2;
    if (digits % 2 != 0) {
      throw new FormatException(path, "hex has an odd number of digits (" + digits + ")");
    }
    int len = digits / 2;
    if (expectedLength >= 0 && len != expectedLength) {
      throw new FormatException(
          path, "expected " + expectedLength + " bytes of hex, got " + len + " bytes");
    }
    byte[] out = new byte[len];
    for (int i = 0; i < len; i++) {
      int hi = digit(hex.charAt(2 + 2 * i));
      int lo = digit(hex.charAt(3 + 2 * i));
      if (hi < 0 || lo < 0) {
        throw new FormatException(path, "invalid hex digit near character " + (2 + 2 * i));
      }
      out[i] = (byte) ((hi << 4) | lo);
    }
    return out;
  }

  private static int digit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
