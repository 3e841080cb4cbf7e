package org.avsnode.bls;

/**
 * Bytes that do not decode to a valid key or point: wrong length, bad flag bits, not on the curve,
 * not in the prime-order subgroup, or a value out of range.
 */
public class BlsEncodingException extends BlsException {
  private static final long serialVersionUID = 1L;

  public BlsEncodingException(String message) {
    super(message);
  }
}
