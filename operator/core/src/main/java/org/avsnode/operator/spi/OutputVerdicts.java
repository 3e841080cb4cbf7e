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

  /** This node's own check of the outputs covering {@code l2BlockNumber}. */
  Verdict verdictFor(long rollupId, long l2BlockNumber);

  /**
   * The operator set's recorded verdicts on L1 (the verdict oracle's {@code OutputInvalidated} and
   * {@code OutputValidated}): {@link Verdict#INVALID} when the latest output at or below {@code
   * l2BlockNumber} with a quorum verdict was invalidated. MACH's aggregators refuse to certify such
   * a block.
   */
  default Verdict quorumVerdictFor(long rollupId, long l2BlockNumber) {
    return Verdict.UNKNOWN;
  }

  /** An output the VITAL quorum invalidated on L1: what the rollup posted at that index. */
  record Invalidated(java.math.BigInteger outputIndex, long l2BlockNumber, byte[] outputRoot) {}

  /**
   * The output the quorum invalidated whose L2 block is exactly {@code l2BlockNumber}, if any: a
   * {@code FinalityAttestation} to that block naming that root is slashable (DESIGN.md §4).
   */
  default java.util.Optional<Invalidated> invalidatedAt(long rollupId, long l2BlockNumber) {
    return java.util.Optional.empty();
  }
}
