package org.avsnode.operator.keys;

/**
 * A key, keystore or password file the operator can fix: missing, unreadable, too open, malformed,
 * too costly to decrypt, or a wrong password. The message is one line and never holds key material
 * or a password.
 */
public final class KeyFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public KeyFileException(String message) {
    super(message);
  }
}
