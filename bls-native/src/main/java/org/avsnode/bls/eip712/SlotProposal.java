package org.avsnode.bls.eip712;

import java.util.Arrays;
import java.util.Objects;
import org.avsnode.bls.Hex;

/** A sequencer's proposal of a block for a slot. */
public record SlotProposal(
    long rollupId, long slot, byte[] parentHash, byte[] blockHash, byte[] txListHash)
    implements TypedMessage {
  public static final String TYPE =
      "SlotProposal(uint64 rollupId,uint64 slot,bytes32 parentHash,bytes32 blockHash,"
          + "bytes32 txListHash)";
  private static final byte[] TYPE_HASH = Eip712.keccakUtf8(TYPE);

  public SlotProposal {
    Eip712.checkUint64("rollupId", rollupId);
    Eip712.checkUint64("slot", slot);
    parentHash = Eip712.checkBytes32("parentHash", parentHash);
    blockHash = Eip712.checkBytes32("blockHash", blockHash);
    txListHash = Eip712.checkBytes32("txListHash", txListHash);
  }

  @Override
  public byte[] parentHash() {
    return parentHash.clone();
  }

  @Override
  public byte[] blockHash() {
    return blockHash.clone();
  }

  @Override
  public byte[] txListHash() {
    return txListHash.clone();
  }

  @Override
  public String typeString() {
    return TYPE;
  }

  @Override
  public byte[] typeHash() {
    return TYPE_HASH.clone();
  }

  @Override
  public byte[] hashStruct() {
    return Eip712.hashWords(
        TYPE_HASH, Eip712.uint(rollupId), Eip712.uint(slot), parentHash, blockHash, txListHash);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SlotProposal m
        && rollupId == m.rollupId
        && slot == m.slot
        && Arrays.equals(parentHash, m.parentHash)
        && Arrays.equals(blockHash, m.blockHash)
        && Arrays.equals(txListHash, m.txListHash);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        rollupId,
        slot,
        Arrays.hashCode(parentHash),
        Arrays.hashCode(blockHash),
        Arrays.hashCode(txListHash));
  }

  @Override
  public String toString() {
    return "SlotProposal[rollupId="
        + rollupId
        + ", slot="
        + slot
        + ", parentHash="
        + Hex.toHexPrefixed(parentHash)
        + ", blockHash="
        + Hex.toHexPrefixed(blockHash)
        + ", txListHash="
        + Hex.toHexPrefixed(txListHash)
        + "]";
  }
}
