package org.avsnode.operator.net;

/** A request body that is not the wire form of a signed message; the message names the field. */
public final class MalformedMessageException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedMessageException(String path, String message) {
    super(path + ": " + message);
  }
}
