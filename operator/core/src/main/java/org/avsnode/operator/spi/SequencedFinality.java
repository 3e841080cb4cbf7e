package org.avsnode.operator.spi;

import java.util.OptionalLong;

/**
 * The port through which VITAL asks the sequencing duty (SQUAD) how far a rollup's L2 chain can no
 * longer be replaced. A block the sequencers have not committed, or whose commitment an L1 reorg
 * may still remove, can be re-sequenced: an output root checked against it could be judged on a
 * block that the final chain does not hold. SQUAD provides it through {@link DutyPorts}; VITAL
 * checks an output only once its L2 block is at or below the answer.
 */
public interface SequencedFinality {

  /**
   * The highest L2 block of rollup {@code rollupId} that is final: the block a slot's commitment
   * named, logged in an L1 block that L1 reports finalized, and every block below it (0, the
   * genesis, before any). Empty when this node does not sequence that rollup. Never decreases.
   */
  OptionalLong finalL2Block(long rollupId);
}
