package org.avsnode.mach;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Objects;
import org.avsnode.bls.Hex;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.certificate.Certificate;
import org.avsnode.operator.l2.L2Block;
import org.avsnode.operator.quorum.EquivocationEvidence;
import org.avsnode.operator.quorum.PublishedCertificate;
import org.avsnode.operator.quorum.SignedMessage;
import org.avsnode.operator.spi.ActivityFeed;

/**
 * MACH's events as the node's activity feed (the status page) sees them, passed on to the embedding
 * program's observer as well.
 */
final class ActivityMachEvents implements MachEvents {
  private final MachEvents delegate;
  private final ActivityFeed feed;

  private ActivityMachEvents(MachEvents delegate, ActivityFeed feed) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.feed = Objects.requireNonNull(feed, "feed");
  }

  /** {@code delegate}, also publishing to the feed when the node has one. */
  static MachEvents wrap(MachEvents delegate, java.util.Optional<ActivityFeed> feed) {
    return feed.<MachEvents>map(f -> new ActivityMachEvents(delegate, f)).orElse(delegate);
  }

  private void publish(
      String kind,
      long rollup,
      String subject,
      String outcome,
      Long millis,
      String detail,
      String level) {
    feed.publish(MachDuty.ID, kind, rollup, subject, outcome, millis, detail, level);
  }

  static String percent(BigInteger part, BigInteger whole) {
    if (whole.signum() == 0) {
      return "0";
    }
    return new BigDecimal(part)
        .multiply(BigDecimal.valueOf(100))
        .divide(new BigDecimal(whole), 1, RoundingMode.HALF_UP)
        .toPlainString();
  }

  @Override
  public void onAttested(SignedMessage<FinalityAttestation> attestation, L2Block block) {
    delegate.onAttested(attestation, block);
    FinalityAttestation a = attestation.message();
    publish(
        "attestation",
        a.rollupId(),
        "L2 #" + a.l2BlockNumber(),
        "signed",
        null,
        Hex.toHexPrefixed(a.l2BlockHash()),
        "info");
  }

  @Override
  public void onRefused(FinalityAttestation message, String reason) {
    delegate.onRefused(message, reason);
    publish(
        "refused",
        message.rollupId(),
        "L2 #" + message.l2BlockNumber(),
        "refused by slashing protection",
        null,
        reason,
        "warn");
  }

  @Override
  public void onReorg(long rollupId, long fromHeight) {
    delegate.onReorg(rollupId, fromHeight);
    publish("reorg", rollupId, "L2 #" + fromHeight, "L2 reorganised", null, "", "warn");
  }

  @Override
  public void onCertificate(
      PublishedCertificate certificate, Duration sinceBlock, Duration sinceTimestamp) {
    delegate.onCertificate(certificate, sinceBlock, sinceTimestamp);
    Certificate c = certificate.certificate();
    FinalityAttestation a = c.finalityAttestation();
    publish(
        "certificate",
        a.rollupId(),
        "L2 #" + a.l2BlockNumber(),
        String.format(
            "%s signers, %s%% of stake%s",
            org.avsnode.certificate.SignerBitmap.count(c.signers()),
            percent(c.signedStake(), c.totalStake()),
            certificate.improvement() ? " (improved)" : ""),
        sinceBlock.toMillis(),
        Hex.toHexPrefixed(a.l2BlockHash()),
        "info");
  }

  @Override
  public void onSubmitted(
      Certificate certificate,
      String txHash,
      BigInteger gasUsed,
      boolean accepted,
      boolean record) {
    delegate.onSubmitted(certificate, txHash, gasUsed, accepted, record);
    FinalityAttestation a = certificate.finalityAttestation();
    publish(
        "finalized",
        a.rollupId(),
        "L2 #" + a.l2BlockNumber(),
        accepted ? "finalized on L1" : "already final on L1",
        null,
        "tx " + txHash + ", gas " + gasUsed,
        "info");
  }

  @Override
  public void onSubmissionFailed(Certificate certificate, String reason) {
    delegate.onSubmissionFailed(certificate, reason);
    FinalityAttestation a = certificate.finalityAttestation();
    publish(
        "submission-failed",
        a.rollupId(),
        "L2 #" + a.l2BlockNumber(),
        "not on L1",
        null,
        reason,
        "warn");
  }

  @Override
  public void onEquivocation(EquivocationEvidence<FinalityAttestation> evidence) {
    delegate.onEquivocation(evidence);
    publish(
        "equivocation",
        evidence.first().rollupId(),
        "L2 #" + evidence.first().l2BlockNumber(),
        "operator " + Hex.toHexPrefixed(evidence.operator()) + " signed two contents",
        null,
        "",
        "alert");
  }

  @Override
  public void onEvidenceSubmitted(
      EquivocationEvidence<FinalityAttestation> evidence,
      String txHash,
      boolean slashed,
      String detail) {
    delegate.onEvidenceSubmitted(evidence, txHash, slashed, detail);
    publish(
        "evidence",
        evidence.first().rollupId(),
        "L2 #" + evidence.first().l2BlockNumber(),
        slashed
            ? "operator " + Hex.toHexPrefixed(evidence.operator()) + " slashed"
            : "evidence not used",
        null,
        slashed ? "tx " + txHash : detail,
        "alert");
  }

  @Override
  public void onInvalidOutputEvidence(
      byte[] operator,
      FinalityAttestation attestation,
      BigInteger outputIndex,
      String txHash,
      boolean slashed,
      String detail) {
    delegate.onInvalidOutputEvidence(operator, attestation, outputIndex, txHash, slashed, detail);
    publish(
        "evidence",
        attestation.rollupId(),
        "L2 #" + attestation.l2BlockNumber(),
        slashed
            ? "operator "
                + Hex.toHexPrefixed(operator)
                + " slashed for attesting invalidated output #"
                + outputIndex
            : "evidence on invalidated output #" + outputIndex + " not used",
        null,
        slashed ? "tx " + txHash : detail,
        "alert");
  }

  @Override
  public void onVitalRefusal(long rollupId, long l2BlockNumber) {
    delegate.onVitalRefusal(rollupId, l2BlockNumber);
    publish(
        "refused",
        rollupId,
        "L2 #" + l2BlockNumber,
        "not attested: VITAL found an output at or below it invalid",
        null,
        "",
        "warn");
  }
}
