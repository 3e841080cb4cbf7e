package org.avsnode.bls.eip712;

/** An EIP-712 struct this node signs. Implementations are immutable records. */
public interface TypedMessage {
  /** The EIP-712 type string, e.g. {@code SlotAttestation(uint64 rollupId,...)}. */
  String typeString();

  /** keccak256 of {@link #typeString()}. */
  default byte[] typeHash() {
    return Eip712.keccakUtf8(typeString());
  }

  /** keccak256(typeHash ‖ encodeData(message)). */
  byte[] hashStruct();

  /** The 32 bytes that get signed: keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct). */
  default byte[] digest(Eip712Domain domain) {
    return Eip712.keccak256(new byte[] {0x19, 0x01}, domain.separator(), hashStruct());
  }
}
