package org.avsnode.operator.quorum;

import java.util.Objects;
import java.util.Optional;

/** The immediate outcome of submitting an attestation: accepted for aggregation, or rejected. */
public final class IntakeResult {
  private static final IntakeResult ACCEPTED = new IntakeResult(null, "accepted");

  private final RejectReason reason;
  private final String detail;

  private IntakeResult(RejectReason reason, String detail) {
    this.reason = reason;
    this.detail = detail;
  }

  public static IntakeResult accepted() {
    return ACCEPTED;
  }

  public static IntakeResult rejected(RejectReason reason, String detail) {
    return new IntakeResult(Objects.requireNonNull(reason), Objects.requireNonNull(detail));
  }

  /**
   * True when the attestation was admitted. An admitted attestation can still be dropped later with
   * {@link RejectReason#BAD_SIGNATURE} when aggregation finds its signature invalid (reported
   * through {@link AggregatorListener#onRejected}).
   */
  public boolean isAccepted() {
    return reason == null;
  }

  public Optional<RejectReason> reason() {
    return Optional.ofNullable(reason);
  }

  public String detail() {
    return detail;
  }

  @Override
  public String toString() {
    return isAccepted() ? "ACCEPTED" : reason + ": " + detail;
  }
}
