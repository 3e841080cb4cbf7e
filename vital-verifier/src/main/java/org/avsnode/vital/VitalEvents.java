package org.avsnode.vital;

import java.math.BigInteger;
import org.avsnode.certificate.Certificate;

/**
 * What VITAL reports to an embedding program (the devnet's console); {@code operator run} installs
 * none. Called on the duty's threads; implementations return quickly.
 */
public interface VitalEvents {
  VitalEvents NONE = new VitalEvents() {};

  /** A proposal was discovered on L1. */
  default void onProposal(long rollupId, BigInteger outputIndex, long l2BlockNumber, byte[] root) {}

  /** A discovered proposal was removed by an L1 reorg (its local verdict is forgotten). */
  default void onRetracted(long rollupId, BigInteger outputIndex, byte[] root) {}

  /**
   * The local check's outcome: VALID, INVALID (both signed) or ABSTAIN (not signed, with the
   * reason); {@code millis} from discovery to the verdict.
   */
  default void onVerdict(
      long rollupId, BigInteger outputIndex, String verdict, String reason, long millis) {}

  /** This node signed a verdict (VALID or INVALID) and is sending it to the aggregators. */
  default void onSigned(
      org.avsnode.operator.quorum.SignedMessage<org.avsnode.bls.eip712.OutputVerdict> verdict) {}

  /** This node's aggregator made a verdict certificate. */
  default void onCertificate(Certificate certificate) {}

  /**
   * A verdict certificate was mined on L1 ({@code recorded} false: another aggregator's was first).
   */
  default void onSubmitted(
      Certificate certificate, String txHash, BigInteger gasUsed, boolean recorded) {}

  /**
   * This node's aggregator submitted evidence that a proof contradicts an operator's verdict on a
   * validity rollup's commitment ({@code slashed} false: the transaction reverted).
   */
  default void onZkEvidence(
      org.avsnode.operator.quorum.SignedMessage<org.avsnode.bls.eip712.OutputVerdict> verdict,
      BigInteger provenCommitment,
      boolean slashed) {}
}
