package org.avsnode.operator.quorum;

import org.avsnode.bls.eip712.TypedMessage;

/**
 * Receives what an {@link Aggregator} produces. Called outside the aggregator's lock, on the thread
 * that caused the event (a submitting thread or the scheduler's); implementations should return
 * quickly. An exception thrown here is caught and does not disturb the aggregator.
 */
public interface AggregatorListener<M extends TypedMessage> {
  /** A certificate reached the threshold, or an improved one was made at the window's end. */
  default void onCertificate(PublishedCertificate certificate) {}

  /**
   * An attestation did not count. Also the counter hook for metrics: every rejection, at intake or
   * later (BAD_SIGNATURE found by aggregation), passes here exactly once.
   */
  default void onRejected(SignedMessage<M> attestation, RejectReason reason, String detail) {}

  /** An operator equivocated; called once per (operator, conflict scope). */
  default void onEquivocation(EquivocationEvidence<M> evidence) {}
}
