package org.avsnode.bls;

/** Any failure of a BLS operation: bad input, invalid key material, native library problems. */
public class BlsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BlsException(String message) {
    super(message);
  }

  public BlsException(String message, Throwable cause) {
    super(message, cause);
  }
}
