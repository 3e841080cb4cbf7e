package org.avsnode.squad.schedule;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.web3j.crypto.Hash;

/**
 * The leader and ranked backups of each slot of one schedule epoch, computed exactly as the L1
 * {@code SlotSchedule} contract computes them: draw {@code k} of slot {@code s} takes {@code x =
 * keccak256(abi.encode(seed, s, k)) mod W}, where {@code W} is the weight not yet drawn, and walks
 * the operators in index order, skipping those with zero weight and those already drawn, to the
 * first whose cumulative weight exceeds {@code x}. Pure and immutable; no I/O.
 */
public final class LeaderSchedule {
  /** An empty rank: fewer operators with weight than ranks. */
  public static final int NONE = -1;

  private final byte[] seed;
  private final BigInteger[] weights;
  private final BigInteger total;
  private final int ranks;

  /** The last slot drawn and its ranks: a leader asks for the same slot on every request. */
  private volatile Drawn last;

  private record Drawn(long slot, int[] ranks) {}

  /**
   * @param seed the epoch's 32-byte seed
   * @param weights each operator index's weight (stake × reputation), zero for an inactive one
   * @param backups ranked backups after the leader
   */
  public LeaderSchedule(byte[] seed, List<BigInteger> weights, int backups) {
    Objects.requireNonNull(seed, "seed");
    if (seed.length != 32) {
      throw new IllegalArgumentException("the seed must be 32 bytes, not " + seed.length);
    }
    if (backups < 0) {
      throw new IllegalArgumentException("backups must not be negative");
    }
    this.seed = seed.clone();
    this.weights = weights.toArray(new BigInteger[0]);
    BigInteger t = BigInteger.ZERO;
    for (BigInteger w : this.weights) {
      if (w.signum() < 0) {
        throw new IllegalArgumentException("a weight must not be negative");
      }
      t = t.add(w);
    }
    this.total = t;
    this.ranks = backups + 1;
  }

  public int operatorCount() {
    return weights.length;
  }

  public BigInteger totalWeight() {
    return total;
  }

  public BigInteger weightOf(int operatorIndex) {
    return weights[operatorIndex];
  }

  /** Operator indices of the slot's leader (rank 0) and backups; {@link #NONE} for empty ranks. */
  public int[] ranksOf(long slot) {
    Drawn d = last;
    if (d == null || d.slot() != slot) {
      d = new Drawn(slot, draw(slot));
      last = d;
    }
    return d.ranks().clone();
  }

  private int[] draw(long slot) {
    if (slot < 0) {
      throw new IllegalArgumentException("slots start at 0");
    }
    int[] out = new int[ranks];
    Arrays.fill(out, NONE);
    BigInteger remaining = total;
    byte[] input = new byte[96];
    System.arraycopy(seed, 0, input, 0, 32);
    putUint64(input, 56, slot);
    for (int k = 0; k < ranks && remaining.signum() > 0; k++) {
      putUint64(input, 88, k);
      BigInteger x = new BigInteger(1, keccak(input)).mod(remaining);
      BigInteger acc = BigInteger.ZERO;
      for (int i = 0; i < weights.length; i++) {
        BigInteger w = weights[i];
        if (w.signum() == 0 || drawn(out, k, i)) {
          continue;
        }
        acc = acc.add(w);
        if (x.compareTo(acc) < 0) {
          out[k] = i;
          remaining = remaining.subtract(w);
          break;
        }
      }
    }
    return out;
  }

  /** The slot's leader, or {@link #NONE} when no operator has weight. */
  public int leaderOf(long slot) {
    return ranksOf(slot)[0];
  }

  /** The operator's rank in the slot (0 = leader), or {@link #NONE}. */
  public int rankOf(long slot, int operatorIndex) {
    int[] r = ranksOf(slot);
    for (int k = 0; k < r.length; k++) {
      if (r[k] == operatorIndex) {
        return k;
      }
    }
    return NONE;
  }

  private static boolean drawn(int[] out, int k, int i) {
    for (int j = 0; j < k; j++) {
      if (out[j] == i) {
        return true;
      }
    }
    return false;
  }

  private static void putUint64(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  private static byte[] keccak(byte[] in) {
    return Hash.sha3(in);
  }
}
