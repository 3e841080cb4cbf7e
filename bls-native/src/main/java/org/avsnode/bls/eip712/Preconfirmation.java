package org.avsnode.bls.eip712;

import java.util.Arrays;
import java.util.Objects;
import org.avsnode.bls.Hex;

/** A promise to include a transaction in a slot. */
public record Preconfirmation(long rollupId, long slot, byte[] txHash) implements TypedMessage {
  public static final String TYPE = "Preconfirmation(uint64 rollupId,uint64 slot,bytes32 txHash)";
  private static final byte[] TYPE_HASH = Eip712.keccakUtf8(TYPE);

  public Preconfirmation {
    Eip712.checkUint64("rollupId", rollupId);
    Eip712.checkUint64("slot", slot);
    txHash = Eip712.checkBytes32("txHash", txHash);
  }

  @Override
  public byte[] txHash() {
    return txHash.clone();
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
    return Eip712.hashWords(TYPE_HASH, Eip712.uint(rollupId), Eip712.uint(slot), txHash);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Preconfirmation m
        && rollupId == m.rollupId
        && slot == m.slot
        && Arrays.equals(txHash, m.txHash);
  }

  @Override
  public int hashCode() {
    return Objects.hash(rollupId, slot, Arrays.hashCode(txHash));
  }

  @Override
  public String toString() {
    return "Preconfirmation[rollupId="
        + rollupId
        + ", slot="
        + slot
        + ", txHash="
        + Hex.toHexPrefixed(txHash)
        + "]";
  }
}
