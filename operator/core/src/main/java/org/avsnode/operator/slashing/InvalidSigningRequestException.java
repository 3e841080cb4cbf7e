package org.avsnode.operator.slashing;

/** A signing request with malformed fields (wrong byte lengths, negative or oversized numbers). */
public class InvalidSigningRequestException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidSigningRequestException(String message) {
    super(message);
  }
}
