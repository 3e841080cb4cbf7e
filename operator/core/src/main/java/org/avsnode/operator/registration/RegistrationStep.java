package org.avsnode.operator.registration;

import java.math.BigInteger;
import java.util.Objects;
import java.util.Optional;

/**
 * What one step of {@code register} or {@code deregister} did.
 *
 * @param step the step: {@code operator}, {@code allocation}, {@code operator-sets}, {@code
 *     registry-stake}, {@code deregistration}
 * @param outcome what happened
 * @param message one line for the operator
 * @param tx the transaction sent, if one was
 */
public record RegistrationStep(String step, Outcome outcome, String message, Optional<Tx> tx) {

  /** What a step did. */
  public enum Outcome {
    /** A transaction was sent and mined successfully. */
    SENT,
    /** The chain already had the wanted state: nothing sent. */
    ALREADY_DONE,
    /** A change is pending on chain (e.g. an allocation delay); nothing sent now. */
    PENDING
  }

  /** A mined transaction. */
  public record Tx(
      String hash, long blockNumber, BigInteger gasUsed, BigInteger effectiveGasPrice) {
    public Tx {
      Objects.requireNonNull(hash, "hash");
    }
  }

  public RegistrationStep {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(message, "message");
    tx = tx == null ? Optional.empty() : tx;
  }

  static RegistrationStep done(String step, String message) {
    return new RegistrationStep(step, Outcome.ALREADY_DONE, message, Optional.empty());
  }

  static RegistrationStep pending(String step, String message) {
    return new RegistrationStep(step, Outcome.PENDING, message, Optional.empty());
  }

  static RegistrationStep sent(String step, String message, Tx tx) {
    return new RegistrationStep(step, Outcome.SENT, message, Optional.of(tx));
  }
}
