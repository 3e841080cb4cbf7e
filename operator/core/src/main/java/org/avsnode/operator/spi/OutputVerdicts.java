package org.avsnode.operator.spi;

/**
 * The port through which MACH asks VITAL whether an L2 block lies at or beyond an output VITAL
 * found invalid (DESIGN.md §7: never attest to what VITAL rejects). VITAL provides it through
 * {@link DutyPorts}; MACH refuses to attest while the answer is {@link Verdict#INVALID}.
 */
public interface OutputVerdicts {

  /** VITAL's local view of the output covering an L2 block. */
  enum Verdict {
    /** Checked and matching, or superseded by a valid output. */
    VALID,
    /** An output at or below this block was found invalid and nothing valid supersedes it. */
    INVALID,
    /** Not checked (yet), or no output covers the block. */
    UNKNOWN
  }

  Verdict verdictFor(long rollupId, long l2BlockNumber);
}
