package org.avsnode.operator.slashing;

/** The embedded database is already open in another process (or another instance). */
public class DatabaseInUseException extends SlashingProtectionException {
  private static final long serialVersionUID = 1L;

  public DatabaseInUseException(String message) {
    super(message);
  }
}
