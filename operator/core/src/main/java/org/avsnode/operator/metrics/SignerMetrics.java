package org.avsnode.operator.metrics;

/**
 * What the protected signer reports: {@code avs_signer_signatures_total{duty,result}} and {@code
 * avs_signer_refusals_total{duty,reason}}. The signer depends on this interface only.
 */
public interface SignerMetrics {
  /** Result label of a signature that left the process. */
  String RESULT_SIGNED = "signed";

  /** Result label of a signing attempt that failed after the slashing check passed. */
  String RESULT_ERROR = "error";

  /** Counts a signing outcome, {@link #RESULT_SIGNED} or {@link #RESULT_ERROR}. */
  void signature(String duty, String result);

  /**
   * Counts a refusal by slashing protection or a safety rule; {@code reason} is a short, bounded
   * identifier (e.g. {@code double_vote}), never free text.
   */
  void refusal(String duty, String reason);

  /** Collects nothing. */
  SignerMetrics NOOP =
      new SignerMetrics() {
        @Override
        public void signature(String duty, String result) {}

        @Override
        public void refusal(String duty, String reason) {}
      };
}
