package org.avsnode.certificate;

import java.util.Objects;
import java.util.Optional;

/** The outcome of {@link CertificateVerifier#verify}: valid, or a reason and a human detail. */
public final class VerificationResult {
  private static final VerificationResult VALID = new VerificationResult(null, "valid");

  private final RejectionReason reason;
  private final String detail;

  private VerificationResult(RejectionReason reason, String detail) {
    this.reason = reason;
    this.detail = detail;
  }

  public static VerificationResult valid() {
    return VALID;
  }

  public static VerificationResult rejected(RejectionReason reason, String detail) {
    return new VerificationResult(
        Objects.requireNonNull(reason, "reason"), Objects.requireNonNull(detail, "detail"));
  }

  public boolean isValid() {
    return reason == null;
  }

  /** The rejection reason; empty when valid. */
  public Optional<RejectionReason> reason() {
    return Optional.ofNullable(reason);
  }

  public String detail() {
    return detail;
  }

  @Override
  public String toString() {
    return isValid() ? "VALID" : reason + ": " + detail;
  }
}
