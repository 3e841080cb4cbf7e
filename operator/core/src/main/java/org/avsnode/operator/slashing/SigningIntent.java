package org.avsnode.operator.slashing;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * What the slashing-protection database sees of a message about to be signed: the fields that
 * decide slashability, plus the 32-byte EIP-712 digest that would be signed. Only bytes and
 * numbers, no crypto. Byte arrays are copied in and out.
 */
public sealed interface SigningIntent {

  /** Largest value of the Solidity {@code uint256} type. */
  BigInteger UINT256_MAX = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);

  MessageKind kind();

  long rollupId();

  /** The height this message is indexed by: block number, output index or slot. */
  BigInteger height();

  /** The EIP-712 digest that will be signed. */
  byte[] digest();

  /** MACH: at most one digest per (key, rollupId, l2BlockNumber). */
  record Finality(long rollupId, long l2BlockNumber, byte[] digest) implements SigningIntent {
    public Finality {
      checkUint64("rollupId", rollupId);
      checkUint64("l2BlockNumber", l2BlockNumber);
      digest = bytes32("digest", digest);
    }

    @Override
    public MessageKind kind() {
      return MessageKind.FINALITY_ATTESTATION;
    }

    @Override
    public BigInteger height() {
      return BigInteger.valueOf(l2BlockNumber);
    }

    @Override
    public byte[] digest() {
      return digest.clone();
    }

    @Override
    public String toString() {
      return "Finality[rollupId="
          + rollupId
          + ", l2BlockNumber="
          + l2BlockNumber
          + ", digest="
          + hex(digest)
          + "]";
    }
  }

  /** VITAL: never both valid=true and valid=false for one (key, rollupId, outputIndex, root). */
  record Verdict(
      long rollupId, BigInteger outputIndex, byte[] outputRoot, boolean valid, byte[] digest)
      implements SigningIntent {
    public Verdict {
      checkUint64("rollupId", rollupId);
      if (outputIndex == null
          || outputIndex.signum() < 0
          || outputIndex.compareTo(UINT256_MAX) > 0) {
        throw new InvalidSigningRequestException("outputIndex must be a uint256");
      }
      outputRoot = bytes32("outputRoot", outputRoot);
      digest = bytes32("digest", digest);
    }

    @Override
    public MessageKind kind() {
      return MessageKind.OUTPUT_VERDICT;
    }

    @Override
    public BigInteger height() {
      return outputIndex;
    }

    @Override
    public byte[] outputRoot() {
      return outputRoot.clone();
    }

    @Override
    public byte[] digest() {
      return digest.clone();
    }

    @Override
    public String toString() {
      return "Verdict[rollupId="
          + rollupId
          + ", outputIndex="
          + outputIndex
          + ", outputRoot="
          + hex(outputRoot)
          + ", valid="
          + valid
          + "]";
    }
  }

  /**
   * SQUAD: at most one proposal per (key, rollupId, slot); {@code txHashes} are the hashes of the
   * transactions in the proposed block, checked against this key's preconfirmations for the slot.
   */
  record Proposal(long rollupId, long slot, byte[] digest, List<byte[]> txHashes)
      implements SigningIntent {
    public Proposal {
      checkUint64("rollupId", rollupId);
      checkUint64("slot", slot);
      digest = bytes32("digest", digest);
      if (txHashes == null) {
        throw new InvalidSigningRequestException("txHashes must not be null");
      }
      List<byte[]> copy = new ArrayList<>(txHashes.size());
      for (byte[] h : txHashes) {
        copy.add(bytes32("txHash", h));
      }
      txHashes = Collections.unmodifiableList(copy);
    }

    @Override
    public MessageKind kind() {
      return MessageKind.SLOT_PROPOSAL;
    }

    @Override
    public BigInteger height() {
      return BigInteger.valueOf(slot);
    }

    @Override
    public byte[] digest() {
      return digest.clone();
    }

    @Override
    public List<byte[]> txHashes() {
      List<byte[]> out = new ArrayList<>(txHashes.size());
      for (byte[] h : txHashes) {
        out.add(h.clone());
      }
      return out;
    }

    @Override
    public String toString() {
      return "Proposal[rollupId="
          + rollupId
          + ", slot="
          + slot
          + ", digest="
          + hex(digest)
          + ", txs="
          + txHashes.size()
          + "]";
    }
  }

  /** SQUAD follower: at most one blockHash per (key, rollupId, slot). */
  record SlotAttestation(long rollupId, long slot, byte[] blockHash, byte[] digest)
      implements SigningIntent {
    public SlotAttestation {
      checkUint64("rollupId", rollupId);
      checkUint64("slot", slot);
      blockHash = bytes32("blockHash", blockHash);
      digest = bytes32("digest", digest);
    }

    @Override
    public MessageKind kind() {
      return MessageKind.SLOT_ATTESTATION;
    }

    @Override
    public BigInteger height() {
      return BigInteger.valueOf(slot);
    }

    @Override
    public byte[] blockHash() {
      return blockHash.clone();
    }

    @Override
    public byte[] digest() {
      return digest.clone();
    }

    @Override
    public String toString() {
      return "SlotAttestation[rollupId="
          + rollupId
          + ", slot="
          + slot
          + ", blockHash="
          + hex(blockHash)
          + "]";
    }
  }

  /** SQUAD leader: a preconfirmation of txHash for (rollupId, slot). */
  record Preconf(long rollupId, long slot, byte[] txHash, byte[] digest) implements SigningIntent {
    public Preconf {
      checkUint64("rollupId", rollupId);
      checkUint64("slot", slot);
      txHash = bytes32("txHash", txHash);
      digest = bytes32("digest", digest);
    }

    @Override
    public MessageKind kind() {
      return MessageKind.PRECONFIRMATION;
    }

    @Override
    public BigInteger height() {
      return BigInteger.valueOf(slot);
    }

    @Override
    public byte[] txHash() {
      return txHash.clone();
    }

    @Override
    public byte[] digest() {
      return digest.clone();
    }

    @Override
    public String toString() {
      return "Preconf[rollupId=" + rollupId + ", slot=" + slot + ", txHash=" + hex(txHash) + "]";
    }
  }

  private static void checkUint64(String name, long v) {
    // Java longs are signed: values of 2^63 and above are not supported and rejected here.
    if (v < 0) {
      throw new InvalidSigningRequestException(name + " must be between 0 and 2^63-1, got " + v);
    }
  }

  private static byte[] bytes32(String name, byte[] b) {
    if (b == null || b.length != 32) {
      throw new InvalidSigningRequestException(
          name + " must be 32 bytes, got " + (b == null ? "null" : b.length + " bytes"));
    }
    return Arrays.copyOf(b, 32);
  }

  private static String hex(byte[] b) {
    return "0x" + HexFormat.of().formatHex(b);
  }
}
