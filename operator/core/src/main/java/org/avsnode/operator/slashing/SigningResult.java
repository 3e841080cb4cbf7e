package org.avsnode.operator.slashing;

import java.util.HexFormat;
import org.avsnode.bls.BlsSignature;

/** What {@link ProtectedSigner} returns: a signature, or a refusal with its reason. */
public final class SigningResult {
  private final BlsSignature signature;
  private final byte[] digest;
  private final RefusalReason reason;
  private final String detail;

  private SigningResult(
      BlsSignature signature, byte[] digest, RefusalReason reason, String detail) {
    this.signature = signature;
    this.digest = digest;
    this.reason = reason;
    this.detail = detail;
  }

  static SigningResult signed(BlsSignature signature, byte[] digest, boolean repeat) {
    return new SigningResult(signature, digest, null, repeat ? "repeat" : "signed");
  }

  static SigningResult refused(byte[] digest, RefusalReason reason, String detail) {
    return new SigningResult(null, digest, reason, detail);
  }

  public boolean isSigned() {
    return signature != null;
  }

  /**
   * The signature.
   *
   * @throws IllegalStateException if signing was refused
   */
  public BlsSignature signature() {
    if (signature == null) {
      throw new IllegalStateException("signing was refused: " + reason + ": " + detail);
    }
    return signature;
  }

  /** The EIP-712 digest that was (or would have been) signed; null if it could not be computed. */
  public byte[] digest() {
    return digest == null ? null : digest.clone();
  }

  /** The refusal reason, or null if signed. */
  public RefusalReason reason() {
    return reason;
  }

  public String detail() {
    return detail;
  }

  @Override
  public String toString() {
    String d = digest == null ? "?" : "0x" + HexFormat.of().formatHex(digest);
    return isSigned()
        ? "SigningResult[signed digest=" + d + "]"
        : "SigningResult[refused " + reason + ": " + detail + ", digest=" + d + "]";
  }
}
