package org.avsnode.operator.l2;

import java.util.Arrays;
import java.util.Objects;
import org.avsnode.bls.Hex;

/**
 * The parts of an L2 block MACH attests to.
 *
 * @param number block number
 * @param hash 32-byte block hash
 * @param parentHash 32-byte parent hash
 * @param stateRoot 32-byte state root
 * @param timestamp seconds since the epoch
 */
public record L2Block(
    long number, byte[] hash, byte[] parentHash, byte[] stateRoot, long timestamp) {
  public L2Block {
    if (number < 0) {
      throw new IllegalArgumentException("negative block number");
    }
    hash = check("hash", hash);
    parentHash = check("parentHash", parentHash);
    stateRoot = check("stateRoot", stateRoot);
  }

  private static byte[] check(String what, byte[] b) {
    Objects.requireNonNull(b, what);
    if (b.length != 32) {
      throw new IllegalArgumentException(what + " must be 32 bytes");
    }
    return b.clone();
  }

  @Override
  public byte[] hash() {
    return hash.clone();
  }

  @Override
  public byte[] parentHash() {
    return parentHash.clone();
  }

  @Override
  public byte[] stateRoot() {
    return stateRoot.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof L2Block b
        && number == b.number
        && timestamp == b.timestamp
        && Arrays.equals(hash, b.hash)
        && Arrays.equals(parentHash, b.parentHash)
        && Arrays.equals(stateRoot, b.stateRoot);
  }

  @Override
  public int hashCode() {
    return Objects.hash(number, Arrays.hashCode(hash));
  }

  @Override
  public String toString() {
    return "#" + number + " " + Hex.toHexPrefixed(hash).substring(0, 10);
  }
}
