package org.avsnode.operator.registration;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.avsnode.contracts.bindings.AllocationManager;
import org.avsnode.contracts.bindings.AvsRegistry;
import org.avsnode.contracts.bindings.DelegationManager;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.operator.chain.L1Client;
import org.avsnode.operator.chain.L1Exception;
import org.avsnode.operator.chain.L1RpcErrorException;
import org.avsnode.operator.chain.TxRequest;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * The restaking contracts an operator registers with, as named by a {@link Deployment}: reads of
 * chain state and the encoding of the transactions the registration sends. Call data is encoded and
 * results decoded with the generated bindings; every request goes through the node's {@link
 * L1Client} (retries, metrics, typed errors), never through the bindings' own transport.
 */
public final class RestakingContracts {
  /** 1e18: all of an operator's magnitude in a strategy. */
  public static final BigInteger WAD = BigInteger.TEN.pow(18);

  private static final String ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

  private final L1Client l1;
  private final Deployment deployment;
  private final String from;
  private final DelegationManager delegation;
  private final AllocationManager allocation;
  private final AvsRegistry registry;

  /** Allocation of one operator to one set in one strategy, as the chain reports it now. */
  public record Allocation(BigInteger currentMagnitude, BigInteger pendingDiff, long effectBlock) {
    public boolean pending() {
      return pendingDiff.signum() != 0;
    }
  }

  /** The registry's stake checkpoint of one operator at one epoch. */
  public record StakeCheckpoint(BigInteger stake, boolean active) {}

  /** The registry's view of a whole operator set at one epoch. */
  public record SetSnapshot(BigInteger totalStake, long activeCount) {}

  /**
   * @param from the address {@code eth_call}s are made from (the operator)
   */
  public RestakingContracts(L1Client l1, Deployment deployment, String from) {
    this.l1 = Objects.requireNonNull(l1, "l1");
    this.deployment = Objects.requireNonNull(deployment, "deployment");
    this.from = Objects.requireNonNull(from, "from");
    var tm = new ReadonlyTransactionManager(l1.web3j(), from);
    var gas = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);
    Deployment.Contracts c = deployment.contracts();
    this.delegation = DelegationManager.load(c.delegationManager(), l1.web3j(), tm, gas);
    this.allocation = AllocationManager.load(c.allocationManager(), l1.web3j(), tm, gas);
    this.registry = AvsRegistry.load(c.avsRegistry(), l1.web3j(), tm, gas);
  }

  public Deployment deployment() {
    return deployment;
  }

  public String avs() {
    return deployment.contracts().avsRegistry();
  }

  /**
   * Checks that the L1 endpoint serves the deployment's chain and that the contracts the
   * registration uses have code there.
   *
   * @throws L1Exception of kind {@link L1Exception.Kind#WRONG_CHAIN} for another chain
   * @throws RegistrationException when a contract is missing
   */
  public void verifyDeployment() {
    l1.verifyChainId(deployment.chainId());
    Deployment.Contracts c = deployment.contracts();
    requireCode("delegationManager", c.delegationManager());
    requireCode("allocationManager", c.allocationManager());
    requireCode("avsRegistry", c.avsRegistry());
  }

  private void requireCode(String name, String address) {
    Object code = l1.rawCall("eth_getCode", List.of(address, "latest"));
    if (!(code instanceof String s) || s.equals("0x") || s.isEmpty()) {
      throw new RegistrationException(
          "no contract at "
              + name
              + " "
              + address
              + " on chain "
              + deployment.chainId()
              + ": is the deployment file for this L1?");
    }
  }

  // ------------------------------------------------------------------ DelegationManager

  public boolean isOperator(String operator) {
    return (Boolean) single(delegation.getContractAddress(), delegation.isOperator(operator));
  }

  /** The operator a staker is delegated to, or empty. */
  public Optional<String> delegatedTo(String staker) {
    String a = (String) single(delegation.getContractAddress(), delegation.delegatedTo(staker));
    return a.equalsIgnoreCase(ZERO_ADDRESS) ? Optional.empty() : Optional.of(a);
  }

  public BigInteger operatorShares(String operator, String strategy) {
    return (BigInteger)
        single(delegation.getContractAddress(), delegation.operatorShares(operator, strategy));
  }

  public TxRequest registerAsOperator(String approver, long allocationDelay, String metadataUri) {
    return tx(
        delegation.getContractAddress(),
        delegation.registerAsOperator(approver, BigInteger.valueOf(allocationDelay), metadataUri));
  }

  // ------------------------------------------------------------------ AllocationManager

  /** The operator's allocation delay in blocks, empty while it is not set. */
  public Optional<Long> allocationDelay(String operator) {
    List<Type> r = call(allocation.getContractAddress(), allocation.getAllocationDelay(operator));
    boolean set = (Boolean) r.get(0).getValue();
    return set
        ? Optional.of(((BigInteger) r.get(1).getValue()).longValueExact())
        : Optional.empty();
  }

  public long deallocationDelay() {
    return ((BigInteger) single(allocation.getContractAddress(), allocation.DEALLOCATION_DELAY()))
        .longValueExact();
  }

  public boolean isOperatorSet(long setId) {
    return (Boolean) single(allocation.getContractAddress(), allocation.isOperatorSet(set(setId)));
  }

  public List<String> strategies(long setId) {
    return addresses(
        single(allocation.getContractAddress(), allocation.getStrategiesInOperatorSet(set(setId))));
  }

  public boolean isMember(String operator, long setId) {
    return (Boolean)
        single(
            allocation.getContractAddress(),
            allocation.isMemberOfOperatorSet(operator, set(setId)));
  }

  public boolean isSlashable(String operator, long setId) {
    return (Boolean)
        single(
            allocation.getContractAddress(), allocation.isOperatorSlashable(operator, set(setId)));
  }

  public Allocation allocation(String operator, long setId, String strategy) {
    Object v =
        call(
                allocation.getContractAddress(),
                allocation.getAllocation(operator, set(setId), strategy))
            .get(0);
    AllocationManager.Allocation a = (AllocationManager.Allocation) v;
    return new Allocation(a.currentMagnitude, a.pendingDiff, a.effectBlock.longValueExact());
  }

  public BigInteger maxMagnitude(String operator, String strategy) {
    return (BigInteger)
        single(allocation.getContractAddress(), allocation.getMaxMagnitude(operator, strategy));
  }

  public BigInteger encumberedMagnitude(String operator, String strategy) {
    return (BigInteger)
        single(
            allocation.getContractAddress(), allocation.getEncumberedMagnitude(operator, strategy));
  }

  /** Stake allocated to the set now, per strategy (in {@code strategies} order). */
  public List<BigInteger> allocatedStake(String operator, long setId, List<String> strategies) {
    return firstRow(
        single(
            allocation.getContractAddress(),
            allocation.getAllocatedStake(set(setId), List.of(operator), strategies)));
  }

  /** Stake guaranteed slashable until {@code futureBlock}, per strategy. */
  public List<BigInteger> minimumSlashableStake(
      String operator, long setId, List<String> strategies, long futureBlock) {
    return firstRow(
        single(
            allocation.getContractAddress(),
            allocation.getMinimumSlashableStake(
                set(setId), List.of(operator), strategies, BigInteger.valueOf(futureBlock))));
  }

  /** One {@code modifyAllocations} entry: new absolute magnitudes of strategies in a set. */
  public record AllocationChange(long setId, List<String> strategies, List<BigInteger> magnitudes) {
    public AllocationChange {
      strategies = List.copyOf(strategies);
      magnitudes = List.copyOf(magnitudes);
      if (strategies.size() != magnitudes.size()) {
        throw new IllegalArgumentException("one magnitude per strategy");
      }
    }
  }

  public TxRequest modifyAllocations(String operator, List<AllocationChange> changes) {
    List<AllocationManager.AllocateParams> params = new ArrayList<>();
    for (AllocationChange c : changes) {
      params.add(
          new AllocationManager.AllocateParams(set(c.setId()), c.strategies(), c.magnitudes()));
    }
    return tx(allocation.getContractAddress(), allocation.modifyAllocations(operator, params));
  }

  public TxRequest registerForOperatorSets(String operator, List<Long> setIds, byte[] data) {
    return tx(
        allocation.getContractAddress(),
        allocation.registerForOperatorSets(
            operator, new AllocationManager.RegisterParams(avs(), uint32s(setIds), data)));
  }

  public TxRequest deregisterFromOperatorSets(String operator, List<Long> setIds) {
    return tx(
        allocation.getContractAddress(),
        allocation.deregisterFromOperatorSets(
            new AllocationManager.DeregisterParams(operator, avs(), uint32s(setIds))));
  }

  // ------------------------------------------------------------------ AvsRegistry

  /** The operator's registered BLS key, EIP-2537 G1 (128 bytes), or empty. */
  public Optional<byte[]> pubkeyOf(String operator) {
    byte[] k = (byte[]) single(registry.getContractAddress(), registry.pubkeyOf(operator));
    return k.length == 0 ? Optional.empty() : Optional.of(k);
  }

  /** The operator that registered the key (EIP-2537 G1 bytes), or empty. */
  public Optional<String> keyOwner(byte[] pubkeyEip2537) {
    String a =
        (String) single(registry.getContractAddress(), registry.keyOwner(Hash.sha3(pubkeyEip2537)));
    return a.equalsIgnoreCase(ZERO_ADDRESS) ? Optional.empty() : Optional.of(a);
  }

  /** The operator's permanent index in the set, empty if it never registered there. */
  public Optional<Long> operatorIndex(long setId, String operator) {
    try {
      return Optional.of(
          ((BigInteger)
                  single(
                      registry.getContractAddress(),
                      registry.operatorIndex(BigInteger.valueOf(setId), operator)))
              .longValueExact());
    } catch (RegistrationException e) {
      if (e.getCause() instanceof L1RpcErrorException r
          && ContractErrors.shipped().name(r.data()).orElse("").equals("NotRegistered")) {
        return Optional.empty();
      }
      throw e;
    }
  }

  public StakeCheckpoint stakeAt(long setId, long index, long epoch) {
    List<Type> r =
        call(
            registry.getContractAddress(),
            registry.stakeAt(
                BigInteger.valueOf(setId), BigInteger.valueOf(index), BigInteger.valueOf(epoch)));
    return new StakeCheckpoint((BigInteger) r.get(0).getValue(), (Boolean) r.get(1).getValue());
  }

  public SetSnapshot setSnapshotAt(long setId, long epoch) {
    List<Type> r =
        call(
            registry.getContractAddress(),
            registry.setSnapshotAt(BigInteger.valueOf(setId), BigInteger.valueOf(epoch)));
    return new SetSnapshot(
        (BigInteger) r.get(0).getValue(), ((BigInteger) r.get(1).getValue()).longValueExact());
  }

  public long currentEpoch() {
    return ((BigInteger) single(registry.getContractAddress(), registry.currentEpoch()))
        .longValueExact();
  }

  public int thresholdBps(long setId) {
    return ((BigInteger)
            single(registry.getContractAddress(), registry.thresholdBps(BigInteger.valueOf(setId))))
        .intValueExact();
  }

  public TxRequest updateOperators(long setId, List<String> operators) {
    return tx(
        registry.getContractAddress(),
        registry.updateOperators(BigInteger.valueOf(setId), operators));
  }

  // ------------------------------------------------------------------ plumbing

  private static AllocationManager.OperatorSet setOf(String avs, long setId) {
    return new AllocationManager.OperatorSet(avs, BigInteger.valueOf(setId));
  }

  private AllocationManager.OperatorSet set(long setId) {
    return setOf(avs(), setId);
  }

  private static List<BigInteger> uint32s(List<Long> ids) {
    return ids.stream().map(BigInteger::valueOf).toList();
  }

  private static TxRequest tx(String to, RemoteFunctionCall<?> fn) {
    return TxRequest.call(to, fn.encodeFunctionCall());
  }

  private Object single(String to, RemoteFunctionCall<?> fn) {
    return call(to, fn).get(0).getValue();
  }

  /**
   * {@code eth_call} of {@code fn} at {@code to}.
   *
   * @throws RegistrationException when the call reverts (the contract error named) or returns
   *     nothing (no contract at the address)
   */
  private List<Type> call(String to, RemoteFunctionCall<?> fn) {
    String hex;
    try {
      hex = l1.ethCall(from, to, fn.encodeFunctionCall());
    } catch (L1RpcErrorException e) {
      if (e.isReverted()) {
        throw new RegistrationException(
            "call to "
                + to
                + " reverted: "
                + ContractErrors.shipped().describe(e.data()).orElse(e.rpcMessage()),
            e);
      }
      throw e;
    }
    List<Type> r;
    try {
      r = fn.decodeFunctionResponse(hex);
    } catch (RuntimeException e) {
      throw new RegistrationException(
          "unexpected answer from " + to + ": " + String.valueOf(e.getMessage()), e);
    }
    if (r == null || r.isEmpty()) {
      throw new RegistrationException(
          "empty answer from "
              + to
              + " (no contract there? check the deployment file against chain "
              + deployment.chainId()
              + ")");
    }
    return r;
  }

  @SuppressWarnings("unchecked")
  private static List<String> addresses(Object value) {
    List<String> out = new ArrayList<>();
    for (Object o : (List<Object>) value) {
      out.add(o instanceof Address a ? a.getValue() : String.valueOf(((Type<?>) o).getValue()));
    }
    return List.copyOf(out);
  }

  @SuppressWarnings("unchecked")
  private static List<BigInteger> firstRow(Object value) {
    List<Object> rows = (List<Object>) value;
    if (rows.isEmpty()) {
      return List.of();
    }
    Object row = rows.get(0);
    List<Object> cells =
        row instanceof Type<?> t ? (List<Object>) t.getValue() : (List<Object>) row;
    List<BigInteger> out = new ArrayList<>();
    for (Object c : cells) {
      out.add(c instanceof Type<?> t ? (BigInteger) t.getValue() : (BigInteger) c);
    }
    return List.copyOf(out);
  }
}
