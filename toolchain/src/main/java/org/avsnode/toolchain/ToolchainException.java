package org.avsnode.toolchain;

/** A devnet tool is missing or misbehaved. The message says what to do about it. */
public class ToolchainException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ToolchainException(String message) {
    super(message);
  }

  public ToolchainException(String message, Throwable cause) {
    super(message, cause);
  }
}
