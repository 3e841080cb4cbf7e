package org.avsnode.bls;

import java.util.Arrays;
import java.util.Objects;

/** One (public key, message, signature) triple for batch verification. */
public record SignatureSet(BlsPublicKey publicKey, byte[] message, BlsSignature signature) {
  public SignatureSet {
    Objects.requireNonNull(publicKey, "publicKey");
    Objects.requireNonNull(signature, "signature");
    message = Objects.requireNonNull(message, "message").clone();
  }

  @Override
  public byte[] message() {
    return message.clone();
  }

  byte[] messageUnsafe() {
    return message;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignatureSet s
        && publicKey.equals(s.publicKey)
        && Arrays.equals(message, s.message)
        && signature.equals(s.signature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(publicKey, Arrays.hashCode(message), signature);
  }

  @Override
  public String toString() {
    return "SignatureSet[" + publicKey.toHex() + ", " + Hex.toHexPrefixed(message) + "]";
  }
}
