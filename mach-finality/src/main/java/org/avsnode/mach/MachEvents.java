package org.avsnode.mach;

import java.math.BigInteger;
import java.time.Duration;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.certificate.Certificate;
import org.avsnode.operator.l2.L2Block;
import org.avsnode.operator.quorum.EquivocationEvidence;
import org.avsnode.operator.quorum.PublishedCertificate;
import org.avsnode.operator.quorum.SignedMessage;

/**
 * What the MACH duty reports to whoever embeds it (the devnet prints these lines; the node logs
 * them). Called on the duty's threads; implementations return quickly and never throw.
 */
public interface MachEvents {
  MachEvents NONE = new MachEvents() {};

  /** This operator signed an attestation and is sending it to the aggregators. */
  default void onAttested(SignedMessage<FinalityAttestation> attestation, L2Block block) {}

  /** The protected signer refused (a conflicting content was signed at this height before). */
  default void onRefused(FinalityAttestation message, String reason) {}

  /** The L2 reorganised below a block this operator attested. */
  default void onReorg(long rollupId, long fromHeight) {}

  /**
   * This aggregator published a certificate.
   *
   * @param sinceBlock time from the block's arrival at this node (or the first attestation, if
   *     earlier) to the certificate
   * @param sinceTimestamp time from the block's L2 timestamp (whole seconds) to the certificate;
   *     null when unknown
   */
  default void onCertificate(
      PublishedCertificate certificate, Duration sinceBlock, Duration sinceTimestamp) {}

  /** This aggregator's submission of a certificate to the finality oracle was mined. */
  default void onSubmitted(
      Certificate certificate,
      String txHash,
      BigInteger gasUsed,
      boolean accepted,
      boolean record) {}

  /** A submission failed (reverted, not mined, rejected by the node). */
  default void onSubmissionFailed(Certificate certificate, String reason) {}

  /** This aggregator saw an equivocation. */
  default void onEquivocation(EquivocationEvidence<FinalityAttestation> evidence) {}

  /**
   * The evidence was submitted to the slashing coordinator.
   *
   * @param slashed true when this transaction slashed the operator; false when the evidence had
   *     been used already or the transaction failed
   */
  default void onEvidenceSubmitted(
      EquivocationEvidence<FinalityAttestation> evidence,
      String txHash,
      boolean slashed,
      String detail) {}

  /**
   * This aggregator found an attestation vouching for an output the VITAL quorum invalidated and
   * submitted it as evidence ({@code txHash} null when it was not submitted).
   */
  default void onInvalidOutputEvidence(
      byte[] operator,
      FinalityAttestation attestation,
      java.math.BigInteger outputIndex,
      String txHash,
      boolean slashed,
      String detail) {}

  /** MACH did not attest a block because VITAL found an output at or below it invalid. */
  default void onVitalRefusal(long rollupId, long l2BlockNumber) {}
}
