package org.avsnode.operator.slashing;

/** Why slashing protection refused to let a message be signed. */
public enum RefusalReason {
  /**
   * A different content was already signed at this height/slot (FinalityAttestation, SlotProposal,
   * SlotAttestation).
   */
  DOUBLE_SIGN,
  /** The opposite verdict was already signed for this (rollupId, outputIndex, outputRoot). */
  CONFLICTING_VERDICT,
  /** The height is at or below the low watermark (history pruned or imported): never signed. */
  BELOW_WATERMARK,
  /** A SlotProposal omits a transaction this key preconfirmed for that slot. */
  MISSING_PRECONF,
  /** A Preconfirmation for a slot whose signed proposal does not contain the transaction. */
  PRECONF_NOT_IN_PROPOSAL,
  /** The request itself is malformed (wrong lengths, negative numbers). */
  INVALID_REQUEST,
  /** The database could not be reached or answered with an error: refusing is the safe choice. */
  PROTECTION_UNAVAILABLE
}
