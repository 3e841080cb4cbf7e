package org.avsnode.bls.keystore;

import org.avsnode.bls.BlsException;

/** A keystore that cannot be read, is malformed, or whose password is wrong. */
public class KeystoreException extends BlsException {
  private static final long serialVersionUID = 1L;

  public KeystoreException(String message) {
    super(message);
  }

  public KeystoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
