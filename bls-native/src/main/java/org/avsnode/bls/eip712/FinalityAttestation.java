package org.avsnode.bls.eip712;

import java.util.Arrays;
import java.util.Objects;
import org.avsnode.bls.Hex;

/** A vote that an L2 block (and its output root) is final under the given stake snapshot. */
public record FinalityAttestation(
    long rollupId, long l2BlockNumber, byte[] l2BlockHash, byte[] outputRoot, long stakeEpoch)
    implements TypedMessage {
  public static final String TYPE =
      "FinalityAttestation(uint64 rollupId,uint64 l2BlockNumber,bytes32 l2BlockHash,"
          + "bytes32 outputRoot,uint32 stakeEpoch)";
  private static final byte[] TYPE_HASH = Eip712.keccakUtf8(TYPE);

  public FinalityAttestation {
    Eip712.checkUint64("rollupId", rollupId);
    Eip712.checkUint64("l2BlockNumber", l2BlockNumber);
    l2BlockHash = Eip712.checkBytes32("l2BlockHash", l2BlockHash);
    outputRoot = Eip712.checkBytes32("outputRoot", outputRoot);
    Eip712.checkUint32("stakeEpoch", stakeEpoch);
  }

  @Override
  public byte[] l2BlockHash() {
    return l2BlockHash.clone();
  }

  @Override
  public byte[] outputRoot() {
    return outputRoot.clone();
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
        TYPE_HASH,
        Eip712.uint(rollupId),
        Eip712.uint(l2BlockNumber),
        l2BlockHash,
        outputRoot,
        Eip712.uint(stakeEpoch));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FinalityAttestation m
        && rollupId == m.rollupId
        && l2BlockNumber == m.l2BlockNumber
        && Arrays.equals(l2BlockHash, m.l2BlockHash)
        && Arrays.equals(outputRoot, m.outputRoot)
        && stakeEpoch == m.stakeEpoch;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        rollupId,
        l2BlockNumber,
        Arrays.hashCode(l2BlockHash),
        Arrays.hashCode(outputRoot),
        stakeEpoch);
  }

  @Override
  public String toString() {
    return "FinalityAttestation[rollupId="
        + rollupId
        + ", l2BlockNumber="
        + l2BlockNumber
        + ", l2BlockHash="
        + Hex.toHexPrefixed(l2BlockHash)
        + ", outputRoot="
        + Hex.toHexPrefixed(outputRoot)
        + ", stakeEpoch="
        + stakeEpoch
        + "]";
  }
}
