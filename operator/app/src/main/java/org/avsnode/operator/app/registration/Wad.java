package org.avsnode.operator.app.registration;

import java.math.BigDecimal;
import java.math.BigInteger;
import org.avsnode.operator.registration.RestakingContracts;

/**
 * Parses {@code --allocation-wad}: {@code 1e18}, {@code 500000000000000000}, {@code 0.5e18}, {@code
 * 50%}.
 */
final class Wad {
  private Wad() {}

  /**
   * @throws IllegalArgumentException when it is not a whole number between 0 and 1e18
   */
  static BigInteger parse(String text) {
    String t = text == null ? "" : text.strip();
    if (t.isEmpty()) {
      throw new IllegalArgumentException("--allocation-wad is empty");
    }
    BigDecimal v;
    try {
      if (t.endsWith("%")) {
        v = new BigDecimal(t.substring(0, t.length() - 1).strip()).movePointRight(16);
      } else {
        v = new BigDecimal(t);
      }
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "--allocation-wad must be a number such as 1e18 (100%), 5e17 or 50%, got '" + t + "'");
    }
    BigInteger wad;
    try {
      wad = v.stripTrailingZeros().toBigIntegerExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "--allocation-wad must be a whole number of WAD units (1e18 = 100%), got '" + t + "'");
    }
    if (wad.signum() < 0 || wad.compareTo(RestakingContracts.WAD) > 0) {
      throw new IllegalArgumentException(
          "--allocation-wad must be between 0 and 1e18 (100%), got '" + t + "'");
    }
    return wad;
  }
}
