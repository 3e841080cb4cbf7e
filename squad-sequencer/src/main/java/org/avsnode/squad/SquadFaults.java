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
}
