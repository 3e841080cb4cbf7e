package org.avsnode.certificate;

/** Why a certificate was rejected. The checks run in the order listed here; the first fails. */
public enum RejectionReason {
  /** The JSON did not parse (only from {@link CertificateVerifier#verifyJson}). */
  MALFORMED_CERTIFICATE,
  /** {@code version} is not 1. */
  UNSUPPORTED_VERSION,
  /** {@code message.type} is not one the policy accepts, or does not match the message. */
  UNSUPPORTED_MESSAGE_TYPE,
  /** {@code thresholdBps} is 0 or above 10000. */
  THRESHOLD_OUT_OF_RANGE,
  /** {@code thresholdBps} is below the verifier policy's minimum. */
  THRESHOLD_BELOW_POLICY,
  /** The operator set's AVS is not the EIP-712 domain's verifyingContract (policy). */
  DOMAIN_MISMATCH,
  /** {@code digest} differs from the EIP-712 digest of {@code message} under the domain. */
  DIGEST_MISMATCH,
  /** {@code operatorSet.avs} / {@code operatorSet.id} differ from the snapshot's. */
  OPERATOR_SET_MISMATCH,
  /** {@code message.stakeEpoch} differs from the snapshot's epoch. */
  STAKE_EPOCH_MISMATCH,
  /** The bitmap is not exactly ceil(n/8) bytes. */
  BITMAP_LENGTH,
  /** A bitmap bit at a position {@code >= n} is set. */
  BITMAP_STRAY_BITS,
  /** No bitmap bit is set. */
  NO_SIGNERS,
  /** A bit is set for an operator that is not active at the epoch. */
  SIGNER_NOT_ACTIVE,
  /** The snapshot's active operators hold no stake at all. */
  EMPTY_OPERATOR_SET,
  /** {@code totalStake} differs from the snapshot's total. */
  TOTAL_STAKE_MISMATCH,
  /** {@code signedStake} differs from the sum of the signers' stakes. */
  SIGNED_STAKE_MISMATCH,
  /** {@code signedStake * 10000 < thresholdBps * totalStake}. */
  INSUFFICIENT_STAKE,
  /** A signature encoding does not decode to a G2 subgroup point, or is the identity. */
  MALFORMED_SIGNATURE,
  /** The compressed and EIP-2537 encodings are two different points. */
  SIGNATURE_ENCODINGS_DIFFER,
  /** The pairing check fails: the signers' aggregate key did not sign the digest. */
  INVALID_SIGNATURE
}
