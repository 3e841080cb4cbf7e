package org.avsnode.operator.quorum;

import java.util.Arrays;
import java.util.Objects;
import org.avsnode.bls.Hex;
import org.avsnode.bls.eip712.TypedMessage;
import org.avsnode.certificate.MessageTypes;

/**
 * Proof that an operator signed two different messages where only one is allowed (DESIGN.md §4: two
 * FinalityAttestations for one block, two opposite OutputVerdicts for one output, two
 * SlotAttestations for one slot): both messages and both signatures, each verified against the
 * operator's registered key before this object was made. Enough to slash on-chain.
 *
 * @param operator the operator's address
 * @param position its position in the operator set (the bitmap bit)
 */
public record EquivocationEvidence<M extends TypedMessage>(
    byte[] operator,
    int position,
    M first,
    byte[] firstSignature,
    M second,
    byte[] secondSignature) {
  public EquivocationEvidence {
    operator = Objects.requireNonNull(operator, "operator").clone();
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
    firstSignature = Objects.requireNonNull(firstSignature, "firstSignature").clone();
    secondSignature = Objects.requireNonNull(secondSignature, "secondSignature").clone();
    if (!MessageTypes.conflictScope(first).equals(MessageTypes.conflictScope(second))) {
      throw new IllegalArgumentException(
          "evidence must concern one " + MessageTypes.of(first).name() + " scope");
    }
    if (first.equals(second)) {
      throw new IllegalArgumentException("evidence needs two different messages");
    }
  }

  @Override
  public byte[] operator() {
    return operator.clone();
  }

  @Override
  public byte[] firstSignature() {
    return firstSignature.clone();
  }

  @Override
  public byte[] secondSignature() {
    return secondSignature.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EquivocationEvidence<?> e
        && Arrays.equals(operator, e.operator)
        && position == e.position
        && first.equals(e.first)
        && Arrays.equals(firstSignature, e.firstSignature)
        && second.equals(e.second)
        && Arrays.equals(secondSignature, e.secondSignature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(operator), position, first, second);
  }

  @Override
  public String toString() {
    return "EquivocationEvidence[operator="
        + Hex.toHexPrefixed(operator)
        + ", "
        + MessageTypes.conflictScope(first)
        + "]";
  }
}
