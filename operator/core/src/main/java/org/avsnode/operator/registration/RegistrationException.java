package org.avsnode.operator.registration;

/**
 * Registration cannot proceed for a reason the operator can act on: a BLS key that differs from the
 * one registered on chain, a deployment file for another chain, a transaction the contracts would
 * reject (with the contract's error decoded), not enough unallocated magnitude. The message is one
 * line and never contains key material.
 */
public class RegistrationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RegistrationException(String message) {
    super(message);
  }

  public RegistrationException(String message, Throwable cause) {
    super(message, cause);
  }
}
