package org.avsnode.operator.slashing;

/**
 * A slashing-protection database could not answer (I/O, lock held by another process, unknown
 * schema, wrong domain). When this is thrown, nothing must be signed.
 */
public class SlashingProtectionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SlashingProtectionException(String message) {
    super(message);
  }

  public SlashingProtectionException(String message, Throwable cause) {
    super(message, cause);
  }
}
