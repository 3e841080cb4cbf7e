package org.avsnode.operator.app.bls;

import org.avsnode.bls.BlsEncodingException;
import org.avsnode.bls.Hex;
import org.avsnode.operator.app.UserException;

/** Hex arguments of the bls commands: {@code 0x}-prefixed, or bare, hex; errors are one line. */
final class HexArgs {
  private HexArgs() {}

  /**
   * Decodes {@code value}; {@code what} names it in the error (e.g. {@code --message}).
   *
   * @throws UserException for anything that is not hex
   */
  static byte[] decode(String what, String value) {
    String v = value == null ? "" : value.trim();
    if (v.isEmpty()) {
      throw new UserException(what + ": empty value (use 0x for no bytes)");
    }
    try {
      return Hex.fromHex(v);
    } catch (BlsEncodingException e) {
      throw new UserException(what + ": not hex (" + e.getMessage() + ")");
    }
  }
}
