package org.avsnode.operator.quorum;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.avsnode.bls.eip712.FinalityAttestation;

/** Records everything an aggregator reports. */
final class Recorder implements AggregatorListener<FinalityAttestation> {
  record Rejection(
      SignedMessage<FinalityAttestation> attestation, RejectReason reason, String detail) {}

  final List<PublishedCertificate> certificates = Collections.synchronizedList(new ArrayList<>());
  final List<Rejection> rejections = Collections.synchronizedList(new ArrayList<>());
  final List<EquivocationEvidence<FinalityAttestation>> equivocations =
      Collections.synchronizedList(new ArrayList<>());

  @Override
  public void onCertificate(PublishedCertificate certificate) {
    certificates.add(certificate);
  }

  @Override
  public void onRejected(
      SignedMessage<FinalityAttestation> attestation, RejectReason reason, String detail) {
    rejections.add(new Rejection(attestation, reason, detail));
  }

  @Override
  public void onEquivocation(EquivocationEvidence<FinalityAttestation> evidence) {
    equivocations.add(evidence);
  }

  List<RejectReason> reasons() {
    synchronized (rejections) {
      return rejections.stream().map(Rejection::reason).toList();
    }
  }
}
