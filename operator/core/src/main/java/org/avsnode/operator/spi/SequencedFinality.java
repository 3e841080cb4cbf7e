package org.avsnode.operator.spi;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * The port through which VITAL and MACH ask the sequencing duty (SQUAD) which of a rollup's L2
 * blocks can no longer be replaced. A block the sequencers have not committed, or whose commitment
 * an L1 reorg may still remove, can be re-sequenced: an output root checked against it could be
 * judged on a block that the final chain does not hold, and a finality certificate naming it would
 * name a block the chain drops. SQUAD provides it through {@link DutyPorts} from the moment the
 * duty is created (before any duty starts), so that no block slips through while it starts. VITAL
 * checks an output only once its L2 block is at or below {@link #finalL2Block}; MACH attests a
 * block only once {@link #committed} says so.
 */
public interface SequencedFinality {

  /**
   * The highest L2 block of rollup {@code rollupId} that is final: the block a slot's commitment
   * named, logged in an L1 block that L1 reports finalized, and every block below it (0, the
   * genesis, before any). Empty when this node does not sequence that rollup. Never decreases.
   */
  OptionalLong finalL2Block(long rollupId);

  /**
   * Whether L2 block {@code l2BlockNumber} with hash {@code l2BlockHash} of rollup {@code rollupId}
   * is on the sequenced chain with at least {@code confirmations} L1 blocks on its commitment (1:
   * the commitment is mined; each more survives one block deeper an L1 reorg): a slot's commitment
   * that an L1 reorg has not removed names that hash, or the block is at or below {@link
   * #finalL2Block}. False while the duty cannot tell (it is starting, or has not read L1 yet).
   * Empty when this node does not sequence that rollup.
   */
  Optional<Boolean> committed(
      long rollupId, long l2BlockNumber, byte[] l2BlockHash, int confirmations);
}
