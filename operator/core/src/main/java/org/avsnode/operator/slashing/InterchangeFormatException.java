package org.avsnode.operator.slashing;

/** Interchange JSON is malformed, of an unsupported version, or for another signing domain. */
public class InterchangeFormatException extends SlashingProtectionException {
  private static final long serialVersionUID = 1L;

  public InterchangeFormatException(String message) {
    super(message);
  }

  public InterchangeFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
