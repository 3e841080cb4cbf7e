package org.avsnode.mach.aggregation;

import java.util.Arrays;
import java.util.Objects;
import org.avsnode.bls.Hex;
import org.avsnode.bls.eip712.FinalityAttestation;

/**
 * One operator's FinalityAttestation as it arrives from the network: the message, the operator's
 * 20-byte address and its 96-byte compressed BLS signature over the message's EIP-712 digest.
 * Nothing here is trusted until the {@link Aggregator} has checked it.
 */
public record SignedAttestation(FinalityAttestation message, byte[] operator, byte[] signature) {
  public SignedAttestation {
    Objects.requireNonNull(message, "message");
    operator = Objects.requireNonNull(operator, "operator").clone();
    signature = Objects.requireNonNull(signature, "signature").clone();
  }

  @Override
  public byte[] operator() {
    return operator.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedAttestation s
        && message.equals(s.message)
        && Arrays.equals(operator, s.operator)
        && Arrays.equals(signature, s.signature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(message, Arrays.hashCode(operator), Arrays.hashCode(signature));
  }

  @Override
  public String toString() {
    return "SignedAttestation[operator="
        + Hex.toHexPrefixed(operator)
        + ", rollupId="
        + message.rollupId()
        + ", l2BlockNumber="
        + message.l2BlockNumber()
        + "]";
  }
}
