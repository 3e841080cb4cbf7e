package org.avsnode.mach.aggregation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Records everything an aggregator reports. */
final class Recorder implements AggregatorListener {
  record Rejection(SignedAttestation attestation, RejectReason reason, String detail) {}

  final List<PublishedCertificate> certificates = Collections.synchronizedList(new ArrayList<>());
  final List<Rejection> rejections = Collections.synchronizedList(new ArrayList<>());
  final List<EquivocationEvidence> equivocations = Collections.synchronizedList(new ArrayList<>());

  @Override
  public void onCertificate(PublishedCertificate certificate) {
    certificates.add(certificate);
  }

  @Override
  public void onRejected(SignedAttestation attestation, RejectReason reason, String detail) {
    rejections.add(new Rejection(attestation, reason, detail));
  }

  @Override
  public void onEquivocation(EquivocationEvidence evidence) {
    equivocations.add(evidence);
  }

  List<RejectReason> reasons() {
    synchronized (rejections) {
      return rejections.stream().map(Rejection::reason).toList();
    }
  }
}
