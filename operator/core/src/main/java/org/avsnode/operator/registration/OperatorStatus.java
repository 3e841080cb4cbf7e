package org.avsnode.operator.registration;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.math.BigInteger;
import java.util.List;

/**
 * An operator's standing with the restaking contracts and the AVS registry at one L1 block: what
 * {@code operator status} shows. Amounts are in strategy shares (the test token's base unit on a
 * devnet); magnitudes in WAD (1e18 = all of the operator's shares in a strategy). Nullable fields
 * are null when not applicable or unknown.
 *
 * @param chainId the L1 chain
 * @param blockNumber the L1 block the state was read at (about; reads use "latest")
 * @param currentEpoch the registry's current stake epoch
 * @param epochLength L1 blocks per epoch
 * @param operator the operator address
 * @param registeredAsOperator whether {@code DelegationManager.isOperator}
 * @param delegatedTo the operator this address is delegated to as a staker (null unless it is a
 *     staker of another operator)
 * @param allocationDelay the allocation delay in blocks (null while not set)
 * @param strategies delegated stake and magnitudes per strategy
 * @param operatorSets membership, allocations and registry stake per operator set
 * @param registeredBlsKey the BLS key registered with the AVS registry (compressed, 0x-hex), or
 *     null
 * @param localBlsKey the node's BLS key (compressed, 0x-hex), or null when not known
 * @param blsKeyMatches whether both are present and equal (null if either is missing)
 */
public record OperatorStatus(
    long chainId,
    long blockNumber,
    long currentEpoch,
    long epochLength,
    String operator,
    boolean registeredAsOperator,
    String delegatedTo,
    Long allocationDelay,
    List<StrategyStatus> strategies,
    List<SetStatus> operatorSets,
    String registeredBlsKey,
    String localBlsKey,
    Boolean blsKeyMatches) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static {
    JSON.configOverride(BigInteger.class)
        .setFormat(JsonFormat.Value.forShape(JsonFormat.Shape.STRING));
  }

  public OperatorStatus {
    strategies = List.copyOf(strategies);
    operatorSets = List.copyOf(operatorSets);
  }

  /**
   * Delegated shares and magnitudes of one strategy.
   *
   * @param strategy the strategy address
   * @param operatorShares shares delegated to the operator
   * @param maxMagnitude the operator's max magnitude (falls when slashed)
   * @param encumberedMagnitude magnitude allocated or pending deallocation
   * @param allocatableMagnitude {@code maxMagnitude - encumberedMagnitude}
   */
  public record StrategyStatus(
      String strategy,
      BigInteger operatorShares,
      BigInteger maxMagnitude,
      BigInteger encumberedMagnitude,
      BigInteger allocatableMagnitude) {}

  /**
   * Allocation of one strategy to one operator set.
   *
   * @param strategy the strategy
   * @param currentMagnitude magnitude in effect now
   * @param pendingMagnitudeChange a change not yet in effect (0 if none)
   * @param effectBlock block the last or pending change takes effect
   * @param allocatedStake shares × current magnitude / max magnitude
   * @param slashableStake stake guaranteed slashable until {@link SetStatus#slashableUntilBlock}
   */
  public record SetAllocation(
      String strategy,
      BigInteger currentMagnitude,
      BigInteger pendingMagnitudeChange,
      long effectBlock,
      BigInteger allocatedStake,
      BigInteger slashableStake) {}

  /**
   * One operator set.
   *
   * @param id the operator set id
   * @param member whether the operator is registered in it ({@code isMemberOfOperatorSet})
   * @param slashable whether it can be slashed in it (a member, or deregistered within the
   *     deallocation delay)
   * @param allocations per strategy of the set
   * @param allocatedStake sum over the set's strategies
   * @param slashableStake sum over the set's strategies of the minimum slashable stake
   * @param slashableUntilBlock the block the slashable stake is guaranteed until (the end of the
   *     next epoch)
   * @param operatorIndex the operator's permanent index in the registry (null if never registered)
   * @param registryStake the registry's stake for the operator at the current epoch (what
   *     certificates of this epoch weigh)
   * @param registryActive whether the operator is active in the registry at the current epoch
   * @param registryNextStake the registry's latest recorded stake (in effect from the next epoch)
   * @param registryNextActive whether active from the next epoch
   * @param setTotalStake the whole set's stake at the current epoch
   * @param setActiveOperators active operators in the set at the current epoch
   * @param thresholdBps the set's certificate threshold
   */
  public record SetStatus(
      long id,
      boolean member,
      boolean slashable,
      List<SetAllocation> allocations,
      BigInteger allocatedStake,
      BigInteger slashableStake,
      long slashableUntilBlock,
      Long operatorIndex,
      BigInteger registryStake,
      boolean registryActive,
      BigInteger registryNextStake,
      boolean registryNextActive,
      BigInteger setTotalStake,
      long setActiveOperators,
      int thresholdBps) {
    public SetStatus {
      allocations = List.copyOf(allocations);
    }
  }

  /** Machine-readable form: amounts as decimal strings, addresses and keys as 0x-hex. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the status: " + e.getMessage(), e);
    }
  }
}
