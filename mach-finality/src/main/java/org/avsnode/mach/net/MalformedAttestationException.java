package org.avsnode.mach.net;

/** An attestation body that is not the wire form; the message names the field. */
public final class MalformedAttestationException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedAttestationException(String path, String message) {
    super(path + ": " + message);
  }
}
