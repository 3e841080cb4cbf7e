package org.avsnode.bls.eip712;

import java.util.Arrays;
import java.util.Objects;
import org.avsnode.bls.Hex;

/** An attestation to the block proposed for a slot. */
public record SlotAttestation(long rollupId, long slot, byte[] blockHash, long stakeEpoch)
    implements TypedMessage {
  public static final String TYPE =
      "SlotAttestation(uint64 rollupId,uint64 slot,bytes32 blockHash,uint32 stakeEpoch)";
  private static final byte[] TYPE_HASH = Eip712.keccakUtf8(TYPE);

  public SlotAttestation {
    Eip712.checkUint64("rollupId", rollupId);
    Eip712.checkUint64("slot", slot);
    blockHash = Eip712.checkBytes32("blockHash", blockHash);
    Eip712.checkUint32("stakeEpoch", stakeEpoch);
  }

  @Override
  public byte[] blockHash() {
    return blockHash.clone();
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
        TYPE_HASH, Eip712.uint(rollupId), Eip712.uint(slot), blockHash, Eip712.uint(stakeEpoch));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SlotAttestation m
        && rollupId == m.rollupId
        && slot == m.slot
        && Arrays.equals(blockHash, m.blockHash)
        && stakeEpoch == m.stakeEpoch;
  }

  @Override
  public int hashCode() {
    return Objects.hash(rollupId, slot, Arrays.hashCode(blockHash), stakeEpoch);
  }

  @Override
  public String toString() {
    return "SlotAttestation[rollupId="
        + rollupId
        + ", slot="
        + slot
        + ", blockHash="
        + Hex.toHexPrefixed(blockHash)
        + ", stakeEpoch="
        + stakeEpoch
        + "]";
  }
}
