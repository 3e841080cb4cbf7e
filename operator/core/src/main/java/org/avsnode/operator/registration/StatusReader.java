package org.avsnode.operator.registration;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.operator.chain.L1Client;
import org.avsnode.operator.registration.OperatorStatus.SetAllocation;
import org.avsnode.operator.registration.OperatorStatus.SetStatus;
import org.avsnode.operator.registration.OperatorStatus.StrategyStatus;
import org.avsnode.operator.registration.RestakingContracts.Allocation;
import org.avsnode.operator.registration.RestakingContracts.SetSnapshot;
import org.avsnode.operator.registration.RestakingContracts.StakeCheckpoint;

/** Reads an operator's {@link OperatorStatus} from the chain (reads only, no transaction). */
public final class StatusReader {
  private static final long LAST_EPOCH = 0xffffffffL;

  private final L1Client l1;
  private final RestakingContracts contracts;

  public StatusReader(L1Client l1, RestakingContracts contracts) {
    this.l1 = Objects.requireNonNull(l1, "l1");
    this.contracts = Objects.requireNonNull(contracts, "contracts");
  }

  /**
   * @param operator the operator address
   * @param localKey the node's BLS key, if known, to compare with the registered one
   * @param operatorSetIds the sets to report on
   */
  public OperatorStatus read(
      String operator, Optional<BlsPublicKey> localKey, List<Long> operatorSetIds) {
    List<Long> ids = OperatorRegistrar.checkSetIds(operatorSetIds);
    long block = l1.blockNumber();
    long epoch = contracts.currentEpoch();
    long epochLength = contracts.deployment().epochLength();
    boolean isOperator = contracts.isOperator(operator);
    String delegatedTo = isOperator ? null : contracts.delegatedTo(operator).orElse(null);
    Long delay = contracts.allocationDelay(operator).orElse(null);

    Set<String> allStrategies = new LinkedHashSet<>();
    allStrategies.add(contracts.deployment().contracts().strategy());
    List<SetStatus> sets = new ArrayList<>();
    long slashableUntil = (epoch + 2) * epochLength - 1;
    for (long id : ids) {
      if (!contracts.isOperatorSet(id)) {
        throw new RegistrationException(
            "operator set " + id + " does not exist for AVS " + contracts.avs());
      }
      List<String> strategies = contracts.strategies(id);
      allStrategies.addAll(strategies);
      List<BigInteger> allocated = contracts.allocatedStake(operator, id, strategies);
      List<BigInteger> slashable =
          contracts.minimumSlashableStake(operator, id, strategies, slashableUntil);
      List<SetAllocation> allocations = new ArrayList<>();
      for (int i = 0; i < strategies.size(); i++) {
        Allocation a = contracts.allocation(operator, id, strategies.get(i));
        allocations.add(
            new SetAllocation(
                strategies.get(i),
                a.currentMagnitude(),
                a.pendingDiff(),
                a.effectBlock(),
                allocated.get(i),
                slashable.get(i)));
      }
      Optional<Long> index = contracts.operatorIndex(id, operator);
      StakeCheckpoint now =
          index
              .map(i -> contracts.stakeAt(id, i, epoch))
              .orElse(new StakeCheckpoint(BigInteger.ZERO, false));
      StakeCheckpoint next =
          index
              .map(i -> contracts.stakeAt(id, i, LAST_EPOCH))
              .orElse(new StakeCheckpoint(BigInteger.ZERO, false));
      SetSnapshot snap = contracts.setSnapshotAt(id, epoch);
      sets.add(
          new SetStatus(
              id,
              contracts.isMember(operator, id),
              contracts.isSlashable(operator, id),
              allocations,
              sum(allocated),
              sum(slashable),
              slashableUntil,
              index.orElse(null),
              now.stake(),
              now.active(),
              next.stake(),
              next.active(),
              snap.totalStake(),
              snap.activeCount(),
              contracts.thresholdBps(id)));
    }
    List<StrategyStatus> strategyStatus = new ArrayList<>();
    for (String s : allStrategies) {
      BigInteger max = contracts.maxMagnitude(operator, s);
      BigInteger encumbered = contracts.encumberedMagnitude(operator, s);
      strategyStatus.add(
          new StrategyStatus(
              s, contracts.operatorShares(operator, s), max, encumbered, max.subtract(encumbered)));
    }
    String registered =
        contracts.pubkeyOf(operator).map(OperatorRegistrar::compressed).orElse(null);
    String local = localKey.map(BlsPublicKey::toHex).orElse(null);
    Boolean matches =
        registered == null || local == null ? null : registered.equalsIgnoreCase(local);
    return new OperatorStatus(
        contracts.deployment().chainId(),
        block,
        epoch,
        epochLength,
        operator,
        isOperator,
        delegatedTo,
        delay,
        strategyStatus,
        sets,
        registered,
        local,
        matches);
  }

  private static BigInteger sum(List<BigInteger> xs) {
    return xs.stream().reduce(BigInteger.ZERO, BigInteger::add);
  }
}
