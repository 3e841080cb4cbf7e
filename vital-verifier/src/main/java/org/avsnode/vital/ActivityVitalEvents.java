package org.avsnode.vital;

import java.math.BigInteger;
import java.util.Objects;
import java.util.Optional;
import org.avsnode.bls.Hex;
import org.avsnode.bls.eip712.OutputVerdict;
import org.avsnode.certificate.Certificate;
import org.avsnode.operator.spi.ActivityFeed;

/**
 * VITAL's events as the node's activity feed (the status page) sees them, passed on to the
 * embedding program's observer as well.
 */
final class ActivityVitalEvents implements VitalEvents {
  private final VitalEvents delegate;
  private final ActivityFeed feed;

  private ActivityVitalEvents(VitalEvents delegate, ActivityFeed feed) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.feed = Objects.requireNonNull(feed, "feed");
  }

  /** {@code delegate}, also publishing to the feed when the node has one. */
  static VitalEvents wrap(VitalEvents delegate, Optional<ActivityFeed> feed) {
    return feed.<VitalEvents>map(f -> new ActivityVitalEvents(delegate, f)).orElse(delegate);
  }

  @Override
  public void onProposal(long rollupId, BigInteger outputIndex, long l2BlockNumber, byte[] root) {
    delegate.onProposal(rollupId, outputIndex, l2BlockNumber, root);
    feed.publish(
        VitalDuty.ID,
        "proposal",
        rollupId,
        "output #" + outputIndex,
        "posted on L1 for L2 #" + l2BlockNumber,
        null,
        "root " + Hex.toHexPrefixed(root));
  }

  @Override
  public void onRetracted(long rollupId, BigInteger outputIndex, byte[] root) {
    delegate.onRetracted(rollupId, outputIndex, root);
    feed.publish(
        VitalDuty.ID,
        "retracted",
        rollupId,
        "output #" + outputIndex,
        "removed by an L1 reorg",
        null,
        "root " + Hex.toHexPrefixed(root),
        "warn");
  }

  @Override
  public void onVerdict(
      long rollupId, BigInteger outputIndex, String verdict, String reason, long millis) {
    delegate.onVerdict(rollupId, outputIndex, verdict, reason, millis);
    feed.publish(
        VitalDuty.ID,
        "verdict",
        rollupId,
        "output #" + outputIndex,
        verdict,
        millis,
        reason,
        "VALID".equals(verdict) ? "info" : "warn");
  }

  @Override
  public void onSigned(org.avsnode.operator.quorum.SignedMessage<OutputVerdict> verdict) {
    delegate.onSigned(verdict);
  }

  @Override
  public void onCertificate(Certificate certificate) {
    delegate.onCertificate(certificate);
    if (certificate.message() instanceof OutputVerdict v) {
      feed.publish(
          VitalDuty.ID,
          "verdict-certificate",
          v.rollupId(),
          "output #" + v.outputIndex(),
          (v.valid() ? "VALID" : "INVALID") + " by the quorum",
          null,
          "signed stake " + certificate.signedStake() + " of " + certificate.totalStake());
    }
  }

  @Override
  public void onSubmitted(
      Certificate certificate, String txHash, BigInteger gasUsed, boolean recorded) {
    delegate.onSubmitted(certificate, txHash, gasUsed, recorded);
    if (certificate.message() instanceof OutputVerdict v) {
      feed.publish(
          VitalDuty.ID,
          "verdict-recorded",
          v.rollupId(),
          "output #" + v.outputIndex(),
          recorded ? (v.valid() ? "VALIDATED" : "INVALIDATED") + " on L1" : "recorded already",
          null,
          "tx " + txHash + ", gas " + gasUsed,
          v.valid() || !recorded ? "info" : "alert");
    }
  }

  @Override
  public void onZkEvidence(
      org.avsnode.operator.quorum.SignedMessage<OutputVerdict> verdict,
      BigInteger provenCommitment,
      boolean slashed) {
    delegate.onZkEvidence(verdict, provenCommitment, slashed);
    OutputVerdict v = verdict.message();
    feed.publish(
        VitalDuty.ID,
        "zk-evidence",
        v.rollupId(),
        "commitment #" + v.outputIndex(),
        (slashed ? "slashed " : "evidence reverted: ") + Hex.toHexPrefixed(verdict.operator()),
        null,
        (v.valid() ? "VALID" : "INVALID")
            + " contradicted by the proof of commitment #"
            + provenCommitment,
        slashed ? "alert" : "warn");
  }
}
