package org.avsnode.squad;

/**
 * Faults an embedding program (the devnet) can inject into this node's sequencer, registered as a
 * {@link org.avsnode.operator.spi.DutyObservers} entry; {@code operator run} registers none, so no
 * configuration can turn them on. Each method is asked at the moment the fault would act.
 */
public interface SquadFaults {
  /** None: the node behaves. */
  SquadFaults NONE = new SquadFaults() {};

  /**
   * Whether the node, sealing {@code slot}, leaves out the forced-inclusion items that are due (a
   * censoring leader): its commitment then leaves due items out, the inbox refuses it, and the
   * slot's backup includes them.
   */
  default boolean censorForced(long slot) {
    return false;
  }

  /** Whether the node, leader of {@code slot}, leaves it alone (a leader offline for one slot). */
  default boolean skipLead(long slot) {
    return false;
  }

  /**
   * The wall-clock time (epoch milliseconds) before which the node, having sealed and signed {@code
   * slot} as rank {@code rank}, does not send its commitment (a slow L1 submission); 0 for none.
   */
  default long commitNotBefore(long slot, int rank) {
    return 0;
  }

  /**
   * The wall-clock time (epoch milliseconds) before which the node, leader of {@code slot}, does
   * not seal it once it has ended (a slow L2 node at the seal); 0 for none.
   */
  default long sealNotBefore(long slot) {
    return 0;
  }

  /**
   * Whether the node leaves {@code slot} without a block: as its leader it preconfirms through the
   * slot but never seals it, and as one of its backups it does not take it over (a node that dies
   * at the slot's end).
   */
  default boolean abandon(long slot) {
    return false;
  }

  /**
   * Whether the node does not receive the preconfirmations its peers post for {@code slot} (a node
   * that was restarting while they were sent); it can still ask peers for them.
   */
  default boolean missGossip(long slot) {
    return false;
  }

  /**
   * Whether the node's follower reads no new commitment from L1 now (a follower that has fallen
   * behind the inbox, as it does for up to four ticks after every commitment).
   */
  default boolean followerBehind() {
    return false;
  }
}
