package org.avsnode.bls.eip712;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Objects;
import org.avsnode.bls.Hex;

/** A verdict on whether a proposed L2 output root is valid. */
public record OutputVerdict(
    long rollupId, BigInteger outputIndex, byte[] outputRoot, boolean valid, long stakeEpoch)
    implements TypedMessage {
  public static final String TYPE =
      "OutputVerdict(uint64 rollupId,uint256 outputIndex,bytes32 outputRoot,bool valid,"
          + "uint32 stakeEpoch)";
  private static final byte[] TYPE_HASH = Eip712.keccakUtf8(TYPE);

  public OutputVerdict {
    Eip712.checkUint64("rollupId", rollupId);
    Eip712.checkUint256("outputIndex", outputIndex);
    outputRoot = Eip712.checkBytes32("outputRoot", outputRoot);
    Eip712.checkUint32("stakeEpoch", stakeEpoch);
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
        Eip712.uint(outputIndex),
        outputRoot,
        Eip712.bool(valid),
        Eip712.uint(stakeEpoch));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OutputVerdict m
        && rollupId == m.rollupId
        && outputIndex.equals(m.outputIndex)
        && Arrays.equals(outputRoot, m.outputRoot)
        && valid == m.valid
        && stakeEpoch == m.stakeEpoch;
  }

  @Override
  public int hashCode() {
    return Objects.hash(rollupId, outputIndex, Arrays.hashCode(outputRoot), valid, stakeEpoch);
  }

  @Override
  public String toString() {
    return "OutputVerdict[rollupId="
        + rollupId
        + ", outputIndex="
        + outputIndex
        + ", outputRoot="
        + Hex.toHexPrefixed(outputRoot)
        + ", valid="
        + valid
        + ", stakeEpoch="
        + stakeEpoch
        + "]";
  }
}
