package org.avsnode.operator.chain;

import java.math.BigInteger;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The parts of an L1 block the node tracks.
 *
 * @param number block number
 * @param hash block hash, {@code 0x} + 64 lower-case hex
 * @param parentHash parent's hash
 * @param timestamp seconds since the epoch
 * @param baseFeePerGas EIP-1559 base fee, null before London
 */
public record BlockHeader(
    long number, String hash, String parentHash, long timestamp, BigInteger baseFeePerGas) {
  private static final Pattern HASH = Pattern.compile("0x[0-9a-f]{64}");

  public BlockHeader {
    if (number < 0) {
      throw new IllegalArgumentException("negative block number " + number);
    }
    hash = checkHash(hash, "hash");
    parentHash = checkHash(parentHash, "parentHash");
  }

  private static String checkHash(String h, String what) {
    Objects.requireNonNull(h, what);
    String lower = h.toLowerCase(java.util.Locale.ROOT);
    if (!HASH.matcher(lower).matches()) {
      throw new IllegalArgumentException(what + " '" + h + "' is not a 32-byte hex hash");
    }
    return lower;
  }

  @Override
  public String toString() {
    return "#" + number + " " + hash.substring(0, 10);
  }
}
