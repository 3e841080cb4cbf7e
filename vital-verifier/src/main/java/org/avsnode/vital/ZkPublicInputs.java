package org.avsnode.vital;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.web3j.crypto.Hash;

/**
 * The public-input layout of a validity rollup's batch circuit (docs/vital.md): what a node
 * rebuilds and what the devnet's sequencer and prover compute, from one definition.
 */
public final class ZkPublicInputs {
  private static final BigInteger LOW128 = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

  private ZkPublicInputs() {}

  /** The 8 public inputs of four 32-byte values: (high, low) 128-bit limbs of each, in order. */
  public static List<BigInteger> limbs(byte[]... words) {
    List<BigInteger> out = new ArrayList<>(2 * words.length);
    for (byte[] w : words) {
      if (w.length != 32) {
        throw new IllegalArgumentException("a public input value is 32 bytes");
      }
      BigInteger v = new BigInteger(1, w);
      out.add(v.shiftRight(128));
      out.add(v.and(LOW128));
    }
    return List.copyOf(out);
  }

  /** keccak256 of the transaction hashes, concatenated in order (keccak256 of nothing if none). */
  public static byte[] txCommitment(List<byte[]> txHashes) {
    byte[] all = new byte[32 * txHashes.size()];
    for (int i = 0; i < txHashes.size(); i++) {
      System.arraycopy(txHashes.get(i), 0, all, 32 * i, 32);
    }
    return Hash.sha3(all);
  }
}
