package org.avsnode.certificate;

import java.util.Set;

/**
 * What the relying party (a bridge) demands beyond the certificate's own claims.
 *
 * @param minThresholdBps the lowest {@code thresholdBps} accepted, 1..10000: a certificate cannot
 *     lower the bar by declaring a small threshold of its own
 * @param requireAvsIsVerifyingContract when true, the operator set's AVS address must equal the
 *     EIP-712 domain's verifyingContract (in this project the AvsRegistry is both)
 * @param messageTypes the {@code message.type}s accepted: a bridge that wants finality accepts
 *     {@code FinalityAttestation} only (the default), so a verdict or slot certificate signed by
 *     the same operators can never pass for a finality certificate
 */
public record VerifierPolicy(
    int minThresholdBps, boolean requireAvsIsVerifyingContract, Set<String> messageTypes) {
  /** Two thirds of the stake, rounded up to whole basis points. */
  public static final int TWO_THIRDS_BPS = 6667;

  public VerifierPolicy {
    if (minThresholdBps < 1 || minThresholdBps > CertificateVerifier.BPS) {
      throw new IllegalArgumentException("minThresholdBps must be in [1, 10000]");
    }
    messageTypes = Set.copyOf(messageTypes);
    if (messageTypes.isEmpty() || !MessageTypes.certifiable().containsAll(messageTypes)) {
      throw new IllegalArgumentException(
          "messageTypes must be some of " + MessageTypes.certifiable());
    }
  }

  /** Finality certificates only. */
  public VerifierPolicy(int minThresholdBps, boolean requireAvsIsVerifyingContract) {
    this(minThresholdBps, requireAvsIsVerifyingContract, Set.of(Certificate.MESSAGE_TYPE));
  }

  /** The same policy for other message types (e.g. {@code OutputVerdict}). */
  public VerifierPolicy withMessageTypes(String... types) {
    return new VerifierPolicy(minThresholdBps, requireAvsIsVerifyingContract, Set.of(types));
  }

  /** The default: at least 6667 bps, the AVS must be the EIP-712 verifying contract. */
  public static VerifierPolicy defaults() {
    return new VerifierPolicy(TWO_THIRDS_BPS, true);
  }

  public static VerifierPolicy minimumThreshold(int bps) {
    return new VerifierPolicy(bps, true);
  }
}
