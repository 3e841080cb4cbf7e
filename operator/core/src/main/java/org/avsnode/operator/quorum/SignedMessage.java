package org.avsnode.operator.quorum;

import java.util.Arrays;
import java.util.Objects;
import org.avsnode.bls.Hex;
import org.avsnode.bls.eip712.TypedMessage;
import org.avsnode.certificate.MessageTypes;

/**
 * One operator's signed duty message as it arrives from the network: the message, the operator's
 * 20-byte address and its 96-byte compressed BLS signature over the message's EIP-712 digest.
 * Nothing here is trusted until the {@link Aggregator} has checked it.
 *
 * @param <M> the message type (FinalityAttestation, OutputVerdict, SlotAttestation)
 */
public record SignedMessage<M extends TypedMessage>(M message, byte[] operator, byte[] signature) {
  public SignedMessage {
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
    return o instanceof SignedMessage<?> s
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
    MessageTypes.Type t = MessageTypes.of(message);
    return "Signed"
        + t.name()
        + "[operator="
        + Hex.toHexPrefixed(operator)
        + ", rollupId="
        + t.rollupId(message)
        + ", height="
        + t.height(message)
        + "]";
  }
}
