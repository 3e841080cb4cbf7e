package org.avsnode.vital;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.avsnode.bls.Hex;
import org.avsnode.operator.chain.LogSubscription;

/**
 * One commitment of a validity rollup's batch on L1, as its {@code ZkBatchProposer} logged it
 * ({@code BatchCommitted}). Its commitment index is the output index verdicts name; its new state
 * root is the output root they name.
 */
record ZkBatch(
    long batchNumber,
    BigInteger commitmentIndex,
    byte[] prevStateRoot,
    byte[] newStateRoot,
    byte[] lastBlockHash,
    byte[] txCommitment,
    long firstBlock,
    long lastBlock) {

  /** The largest batch or block number taken from a log (a log claiming more is hostile). */
  static final long MAX_NUMBER = Long.MAX_VALUE / 2;

  /**
   * Decodes a {@code BatchCommitted(uint256 indexed batchNumber, uint256 indexed commitmentIndex,
   * bytes32 indexed newStateRoot, bytes32 prevStateRoot, bytes32 lastBlockHash, bytes32
   * txCommitment, uint64 firstBlockNumber, uint64 lastBlockNumber)} log.
   *
   * @throws IllegalArgumentException for a log that does not add up
   */
  static ZkBatch fromLog(LogSubscription.LogEvent log) {
    List<String> t = log.topics();
    if (t.size() != 4 || !t.stream().allMatch(x -> x.matches("0x[0-9a-fA-F]{64}"))) {
      throw new IllegalArgumentException("a BatchCommitted log needs 3 indexed 32-byte topics");
    }
    List<byte[]> words = words(log.data(), 5);
    long batch = number(Hex.fromHex(t.get(1)), "batchNumber");
    BigInteger index = new BigInteger(1, Hex.fromHex(t.get(2)));
    long first = number(words.get(3), "firstBlockNumber");
    long last = number(words.get(4), "lastBlockNumber");
    if (batch < 1 || index.signum() <= 0 || index.bitLength() > 63 || first < 1 || last < first) {
      throw new IllegalArgumentException(
          "batch " + batch + ", commitment " + index + ", blocks " + first + ".." + last);
    }
    return new ZkBatch(
        batch, index, words.get(0), Hex.fromHex(t.get(3)), words.get(1), words.get(2), first, last);
  }

  /**
   * Decodes a {@code ProofSubmitted(uint256 indexed batchNumber, uint256 indexed commitmentIndex,
   * uint256[8] proof)} log: the commitment index and the proof's 8 words.
   */
  static Proof proofFromLog(LogSubscription.LogEvent log) {
    List<String> t = log.topics();
    if (t.size() != 3 || !t.stream().allMatch(x -> x.matches("0x[0-9a-fA-F]{64}"))) {
      throw new IllegalArgumentException("a ProofSubmitted log needs 2 indexed 32-byte topics");
    }
    BigInteger index = new BigInteger(1, Hex.fromHex(t.get(2)));
    if (index.signum() <= 0 || index.bitLength() > 63) {
      throw new IllegalArgumentException("commitment index " + index);
    }
    List<BigInteger> proof = new ArrayList<>();
    for (byte[] w : words(log.data(), 8)) {
      proof.add(new BigInteger(1, w));
    }
    return new Proof(index, List.copyOf(proof), log.key(), log.blockNumber());
  }

  /** A published proof: (a.x, a.y, b.x1, b.x0, b.y1, b.y0, c.x, c.y). */
  record Proof(BigInteger commitmentIndex, List<BigInteger> words, String logKey, long l1Block) {}

  private static List<byte[]> words(String data, int n) {
    if (data == null || !data.matches("0x[0-9a-fA-F]*") || data.length() != 2 + 64 * n) {
      throw new IllegalArgumentException("expected " + n + " 32-byte words of data");
    }
    byte[] all = Hex.fromHex(data);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] w = new byte[32];
      System.arraycopy(all, 32 * i, w, 0, 32);
      out.add(w);
    }
    return out;
  }

  private static long number(byte[] word, String what) {
    BigInteger v = new BigInteger(1, word);
    if (v.compareTo(BigInteger.valueOf(MAX_NUMBER)) > 0) {
      throw new IllegalArgumentException(what + " " + v + " is out of range");
    }
    return v.longValueExact();
  }
}
