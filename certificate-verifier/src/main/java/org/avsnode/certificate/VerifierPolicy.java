package org.avsnode.certificate;

/**
 * What the relying party (a bridge) demands beyond the certificate's own claims.
 *
 * @param minThresholdBps the lowest {@code thresholdBps} accepted, 1..10000: a certificate cannot
 *     lower the bar by declaring a small threshold of its own
 * @param requireAvsIsVerifyingContract when true, the operator set's AVS address must equal the
 *     EIP-712 domain's verifyingContract (in this project the AvsRegistry is both)
 */
public record VerifierPolicy(int minThresholdBps, boolean requireAvsIsVerifyingContract) {
  /** Two thirds of the stake, rounded up to whole basis points. */
  public static final int TWO_THIRDS_BPS = 6667;

  public VerifierPolicy {
    if (minThresholdBps < 1 || minThresholdBps > CertificateVerifier.BPS) {
      throw new IllegalArgumentException("minThresholdBps must be in [1, 10000]");
    }
  }

  /** The default: at least 6667 bps, the AVS must be the EIP-712 verifying contract. */
  public static VerifierPolicy defaults() {
    return new VerifierPolicy(TWO_THIRDS_BPS, true);
  }

  public static VerifierPolicy minimumThreshold(int bps) {
    return new VerifierPolicy(bps, true);
  }
}
