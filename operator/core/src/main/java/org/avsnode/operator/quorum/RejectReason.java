package org.avsnode.operator.quorum;

/** Why the aggregator did not count an attestation. */
public enum RejectReason {
  /** The sender is not in the operator set snapshot. */
  UNKNOWN_OPERATOR,
  /** The sender is in the set but not active at the snapshot's epoch. */
  INACTIVE_OPERATOR,
  /** The message's stakeEpoch is not the aggregator's epoch. */
  WRONG_EPOCH,
  /** The signature is not 96 bytes, not a G2 subgroup point, or the identity. */
  MALFORMED_SIGNATURE,
  /** The operator already has an attestation for this height with this content. */
  DUPLICATE,
  /** The height is certified and its collection window has closed (or it was evicted after it). */
  STALE,
  /** The operator equivocated at this height; its attestations for it no longer count. */
  EQUIVOCATION,
  /** The signature does not verify (found by the optimistic aggregation or a direct check). */
  BAD_SIGNATURE,
  /** The bound on attestations per height was reached. */
  CAPACITY,
  /** The aggregator was closed. */
  CLOSED,
  /** The height is too far from the receiver's own view of the chain (ahead or behind). */
  OUT_OF_WINDOW,
  /** The sender sent more than its share of messages in a short time. */
  RATE_LIMITED,
  /**
   * The block lies at or beyond an output the VITAL quorum invalidated on L1 (and no output the
   * quorum validated supersedes it): it is not certified.
   */
  INVALIDATED_OUTPUT;

  /**
   * The HTTP status an intake answers with: 403 for who the sender is, 409 for what it already
   * sent, 429 for how fast, 503 for a state of the receiver (the sender offers the message again),
   * 400 for the message itself.
   */
  public int httpStatus() {
    return switch (this) {
      case UNKNOWN_OPERATOR, INACTIVE_OPERATOR -> 403;
      case DUPLICATE, STALE, EQUIVOCATION, INVALIDATED_OUTPUT -> 409;
      case CAPACITY, CLOSED -> 503;
      case RATE_LIMITED -> 429;
      default -> 400;
    };
  }
}
