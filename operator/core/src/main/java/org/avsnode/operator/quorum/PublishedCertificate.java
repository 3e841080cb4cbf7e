package org.avsnode.operator.quorum;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.avsnode.certificate.Certificate;

/**
 * A certificate the aggregator published.
 *
 * @param improvement false for the first certificate of a height, true for the one published at the
 *     end of the collection window with a different (normally larger) signer set
 * @param firstAttestationAt when the first attestation for the certified digest was admitted
 * @param publishedAt when the certificate was made
 */
public record PublishedCertificate(
    Certificate certificate, boolean improvement, Instant firstAttestationAt, Instant publishedAt) {
  public PublishedCertificate {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(firstAttestationAt, "firstAttestationAt");
    Objects.requireNonNull(publishedAt, "publishedAt");
  }

  /** Time from the first admitted attestation to this certificate. */
  public Duration latency() {
    return Duration.between(firstAttestationAt, publishedAt);
  }
}
