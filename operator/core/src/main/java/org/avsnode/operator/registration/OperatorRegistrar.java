package org.avsnode.operator.registration;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.avsnode.bls.BlsException;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.operator.chain.L1RpcErrorException;
import org.avsnode.operator.chain.TransactionSender;
import org.avsnode.operator.chain.TxReceipt;
import org.avsnode.operator.chain.TxRequest;
import org.avsnode.operator.registration.RestakingContracts.Allocation;
import org.avsnode.operator.registration.RestakingContracts.AllocationChange;
import org.avsnode.operator.registration.RestakingContracts.StakeCheckpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Keys;

/**
 * Registers the operator whose ECDSA key signs for {@link TransactionSender} with the restaking
 * contracts, in steps that each read the chain first and only send what is missing, so running it
 * again is safe and sends nothing once everything is in place:
 *
 * <ol>
 *   <li>{@code operator}: {@code DelegationManager.registerAsOperator(address(0), allocationDelay,
 *       metadataUri)} unless the address already is an operator;
 *   <li>{@code allocation}: {@code AllocationManager.modifyAllocations} so each strategy of each
 *       operator set holds {@code allocationWad / 1e18} of the operator's max magnitude, unless it
 *       already does or a change is still pending;
 *   <li>{@code operator-sets}: {@code registerForOperatorSets(operator, (avs, ids, data))} for the
 *       sets it is not a member of, {@code data} being the BLS key and its proof of possession;
 *   <li>{@code registry-stake}: {@code AvsRegistry.updateOperators} when the registry's recorded
 *       stake differs from the allocated stake (e.g. after an allocation delay).
 * </ol>
 *
 * Before any transaction it refuses a BLS key that differs from the one the registry holds for this
 * operator, or that another operator registered.
 */
public final class OperatorRegistrar {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorRegistrar.class);
  private static final String ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
  private static final long LAST_EPOCH = 0xffffffffL;

  private final RestakingContracts contracts;
  private final TransactionSender sender;
  private final Consumer<RegistrationStep> listener;

  /** What to register for. */
  public record Request(
      List<Long> operatorSetIds,
      String metadataUri,
      long allocationDelay,
      BigInteger allocationWad) {
    public Request {
      operatorSetIds = checkSetIds(operatorSetIds);
      Objects.requireNonNull(metadataUri, "metadataUri");
      if (allocationDelay < 0 || allocationDelay > 0xffffffffL) {
        throw new IllegalArgumentException("allocation delay must be a uint32 number of blocks");
      }
      Objects.requireNonNull(allocationWad, "allocationWad");
      if (allocationWad.signum() < 0 || allocationWad.compareTo(RestakingContracts.WAD) > 0) {
        throw new IllegalArgumentException(
            "allocation wad must be between 0 and 1e18 (100%), got " + allocationWad);
      }
    }
  }

  static List<Long> checkSetIds(List<Long> ids) {
    if (ids == null || ids.isEmpty()) {
      throw new IllegalArgumentException("at least one operator set id is needed");
    }
    List<Long> out = new ArrayList<>();
    for (Long id : ids) {
      if (id == null || id < 0 || id > 0xffffffffL) {
        throw new IllegalArgumentException("operator set id must be a uint32, got " + id);
      }
      if (out.contains(id)) {
        throw new IllegalArgumentException("operator set " + id + " is listed twice");
      }
      out.add(id);
    }
    return List.copyOf(out);
  }

  /**
   * @param listener told about each step as soon as it is done (for progress output)
   */
  public OperatorRegistrar(
      RestakingContracts contracts, TransactionSender sender, Consumer<RegistrationStep> listener) {
    this.contracts = Objects.requireNonNull(contracts, "contracts");
    this.sender = Objects.requireNonNull(sender, "sender");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** The operator address (checksummed): the sender's. */
  public String operator() {
    return Keys.toChecksumAddress(sender.address());
  }

  /**
   * Runs every registration step.
   *
   * @throws RegistrationException when the operator must act (key mismatch, unknown set, a
   *     transaction the contracts would reject)
   * @throws org.avsnode.operator.chain.L1Exception when L1 cannot be reached or a transaction is
   *     not mined in time
   */
  public List<RegistrationStep> register(Request request, RegistrationData data) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(data, "data");
    List<RegistrationStep> steps = new ArrayList<>();
    String operator = operator();
    checkSets(request.operatorSetIds());
    checkBlsKey(operator, data.publicKey());
    steps.add(emit(registerOperator(operator, request)));
    steps.add(emit(allocate(operator, request)));
    steps.add(emit(registerForSets(operator, request.operatorSetIds(), data)));
    steps.add(emit(refreshStake(operator, request.operatorSetIds())));
    return List.copyOf(steps);
  }

  /** Leaves the operator sets it is a member of (idempotent). */
  public List<RegistrationStep> deregister(List<Long> operatorSetIds) {
    List<Long> ids = checkSetIds(operatorSetIds);
    String operator = operator();
    checkSets(ids);
    List<Long> members = new ArrayList<>();
    for (long id : ids) {
      if (contracts.isMember(operator, id)) {
        members.add(id);
      }
    }
    if (members.isEmpty()) {
      return List.of(
          emit(
              RegistrationStep.done(
                  "deregistration",
                  "not registered in operator set(s) " + ids + ": nothing to do")));
    }
    RegistrationStep.Tx tx =
        send("deregisterFromOperatorSets", contracts.deregisterFromOperatorSets(operator, members));
    long until = tx.blockNumber() + contracts.deallocationDelay();
    return List.of(
        emit(
            RegistrationStep.sent(
                "deregistration",
                "deregistered from operator set(s) "
                    + members
                    + "; allocated stake stays slashable until block "
                    + until,
                tx)));
  }

  // ------------------------------------------------------------------ steps

  private void checkSets(List<Long> ids) {
    for (long id : ids) {
      if (!contracts.isOperatorSet(id)) {
        throw new RegistrationException(
            "operator set " + id + " does not exist for AVS " + contracts.avs());
      }
    }
  }

  private void checkBlsKey(String operator, BlsPublicKey local) {
    byte[] localEip = local.toEip2537();
    var onChain = contracts.pubkeyOf(operator);
    if (onChain.isPresent()) {
      if (!java.util.Arrays.equals(onChain.get(), localEip)) {
        throw new RegistrationException(
            "the BLS key registered on chain for operator "
                + operator
                + " is "
                + compressed(onChain.get())
                + " but the local BLS key is "
                + local.toHex()
                + ": refusing to register (the registry does not rotate keys; use the registered"
                + " key)");
      }
      return;
    }
    var owner = contracts.keyOwner(localEip);
    if (owner.isPresent() && !owner.get().equalsIgnoreCase(operator)) {
      throw new RegistrationException(
          "the local BLS key "
              + local.toHex()
              + " is already registered by operator "
              + owner.get());
    }
  }

  private RegistrationStep registerOperator(String operator, Request request) {
    if (contracts.isOperator(operator)) {
      String note = "";
      var delay = contracts.allocationDelay(operator);
      if (delay.isPresent() && delay.get() != request.allocationDelay()) {
        note =
            " (allocation delay on chain is "
                + delay.get()
                + " blocks; --allocation-delay "
                + request.allocationDelay()
                + " applies only to a new registration)";
      }
      return RegistrationStep.done("operator", "already registered as operator " + operator + note);
    }
    var delegated = contracts.delegatedTo(operator);
    if (delegated.isPresent()) {
      throw new RegistrationException(
          operator
              + " is delegated to operator "
              + delegated.get()
              + " as a staker and cannot become an operator (undelegate first)");
    }
    RegistrationStep.Tx tx =
        send(
            "registerAsOperator",
            contracts.registerAsOperator(
                ZERO_ADDRESS, request.allocationDelay(), request.metadataUri()));
    return RegistrationStep.sent(
        "operator",
        "registered "
            + operator
            + " as operator (allocation delay "
            + request.allocationDelay()
            + " blocks)",
        tx);
  }

  /** The magnitude {@code wad} of {@code maxMagnitude} stands for, rounded down. */
  static BigInteger targetMagnitude(BigInteger maxMagnitude, BigInteger wad) {
    return maxMagnitude.multiply(wad).divide(RestakingContracts.WAD);
  }

  private RegistrationStep allocate(String operator, Request request) {
    List<AllocationChange> changes = new ArrayList<>();
    List<String> done = new ArrayList<>();
    List<String> pending = new ArrayList<>();
    List<String> planned = new ArrayList<>();
    for (long setId : request.operatorSetIds()) {
      List<String> strategies = contracts.strategies(setId);
      List<String> changeStrategies = new ArrayList<>();
      List<BigInteger> changeMagnitudes = new ArrayList<>();
      for (String strategy : strategies) {
        BigInteger max = contracts.maxMagnitude(operator, strategy);
        BigInteger target = targetMagnitude(max, request.allocationWad());
        Allocation a = contracts.allocation(operator, setId, strategy);
        String where = "set " + setId + " strategy " + strategy;
        if (a.pending()) {
          pending.add(
              where
                  + ": magnitude "
                  + a.currentMagnitude()
                  + " -> "
                  + a.currentMagnitude().add(a.pendingDiff())
                  + " pending until block "
                  + a.effectBlock());
          continue;
        }
        if (a.currentMagnitude().equals(target)) {
          done.add(where + ": magnitude " + target + " (" + percent(target, max) + ")");
          continue;
        }
        if (target.compareTo(a.currentMagnitude()) > 0) {
          BigInteger encumbered = contracts.encumberedMagnitude(operator, strategy);
          BigInteger free = max.subtract(encumbered);
          BigInteger increase = target.subtract(a.currentMagnitude());
          if (increase.compareTo(free) > 0) {
            throw new RegistrationException(
                "cannot allocate magnitude "
                    + target
                    + " in "
                    + where
                    + ": only "
                    + free
                    + " of max magnitude "
                    + max
                    + " is unallocated (allocated to other operator sets); lower"
                    + " --allocation-wad or deallocate elsewhere");
          }
        }
        changeStrategies.add(strategy);
        changeMagnitudes.add(target);
        planned.add(where + ": magnitude " + a.currentMagnitude() + " -> " + target);
      }
      if (strategies.isEmpty()) {
        LOG.warn("operator set {} has no strategies: nothing to allocate", setId);
      }
      if (!changeStrategies.isEmpty()) {
        changes.add(new AllocationChange(setId, changeStrategies, changeMagnitudes));
      }
    }
    if (changes.isEmpty()) {
      if (!pending.isEmpty()) {
        return RegistrationStep.pending(
            "allocation",
            "allocation change pending: "
                + String.join("; ", pending)
                + (done.isEmpty() ? "" : "; already allocated: " + String.join("; ", done))
                + "; run register again after that block so the registry counts it");
      }
      return RegistrationStep.done(
          "allocation",
          done.isEmpty()
              ? "nothing to allocate (the operator sets have no strategies)"
              : "already allocated: " + String.join("; ", done));
    }
    RegistrationStep.Tx tx =
        send("modifyAllocations", contracts.modifyAllocations(operator, changes));
    List<String> effect = new ArrayList<>();
    for (AllocationChange c : changes) {
      for (String s : c.strategies()) {
        Allocation a = contracts.allocation(operator, c.setId(), s);
        if (a.pending()) {
          effect.add(
              "set " + c.setId() + " strategy " + s + " takes effect at block " + a.effectBlock());
        }
      }
    }
    return RegistrationStep.sent(
        "allocation",
        "allocated "
            + String.join("; ", planned)
            + (effect.isEmpty()
                ? " (effective now)"
                : " ("
                    + String.join("; ", effect)
                    + "; run register again after that block so the registry counts it)")
            + (pending.isEmpty() ? "" : "; still pending: " + String.join("; ", pending)),
        tx);
  }

  private RegistrationStep registerForSets(String operator, List<Long> ids, RegistrationData data) {
    List<Long> missing = new ArrayList<>();
    List<Long> members = new ArrayList<>();
    for (long id : ids) {
      if (contracts.isMember(operator, id)) {
        members.add(id);
      } else {
        missing.add(id);
      }
    }
    if (missing.isEmpty()) {
      return RegistrationStep.done(
          "operator-sets", "already registered in operator set(s) " + members);
    }
    RegistrationStep.Tx tx =
        send(
            "registerForOperatorSets",
            contracts.registerForOperatorSets(operator, missing, data.encode()));
    return RegistrationStep.sent(
        "operator-sets",
        "registered in operator set(s) "
            + missing
            + " with BLS key "
            + data.publicKey().toHex()
            + (members.isEmpty() ? "" : " (already in " + members + ")"),
        tx);
  }

  private RegistrationStep refreshStake(String operator, List<Long> ids) {
    List<Long> stale = new ArrayList<>();
    List<String> upToDate = new ArrayList<>();
    List<String> updates = new ArrayList<>();
    for (long id : ids) {
      var index = contracts.operatorIndex(id, operator);
      if (index.isEmpty() || !contracts.isMember(operator, id)) {
        continue;
      }
      StakeCheckpoint head = contracts.stakeAt(id, index.get(), LAST_EPOCH);
      List<String> strategies = contracts.strategies(id);
      BigInteger allocated =
          contracts.allocatedStake(operator, id, strategies).stream()
              .reduce(BigInteger.ZERO, BigInteger::add);
      if (head.active() && !head.stake().equals(allocated)) {
        stale.add(id);
        updates.add("set " + id + ": " + head.stake() + " -> " + allocated);
      } else {
        upToDate.add("set " + id + ": " + head.stake());
      }
    }
    if (stale.isEmpty()) {
      return RegistrationStep.done(
          "registry-stake",
          upToDate.isEmpty()
              ? "no operator set membership to check"
              : "registry stake up to date: " + String.join("; ", upToDate));
    }
    RegistrationStep.Tx last = null;
    for (long id : stale) {
      last = send("updateOperators", contracts.updateOperators(id, List.of(operator)));
    }
    return RegistrationStep.sent(
        "registry-stake",
        "registry stake updated (from the next epoch): " + String.join("; ", updates),
        last);
  }

  // ------------------------------------------------------------------ plumbing

  private RegistrationStep emit(RegistrationStep step) {
    listener.accept(step);
    return step;
  }

  private RegistrationStep.Tx send(String what, TxRequest request) {
    TxReceipt r;
    try {
      r = sender.sendAndWait(request);
    } catch (L1RpcErrorException e) {
      if (e.isReverted()) {
        throw new RegistrationException(
            what
                + " would revert: "
                + ContractErrors.shipped().describe(e.data()).orElse(e.rpcMessage())
                + hint(e.data()),
            e);
      }
      throw e;
    }
    if (!r.success()) {
      throw new RegistrationException(
          what
              + " reverted in transaction "
              + r.transactionHash()
              + " (block "
              + r.blockNumber()
              + "); the chain state changed meanwhile: run the command again");
    }
    return new RegistrationStep.Tx(
        r.transactionHash(), r.blockNumber(), r.gasUsed(), r.effectiveGasPrice());
  }

  private static String hint(String revertData) {
    String name = ContractErrors.shipped().name(revertData).orElse("");
    return switch (name) {
      case "InsufficientMagnitude" -> " (not enough unallocated magnitude; lower --allocation-wad)";
      case "OperatorKeyMismatch" -> " (the registry holds another BLS key for this operator)";
      case "KeyAlreadyRegistered" -> " (another operator registered this BLS key)";
      case "ActivelyDelegated" -> " (the address is delegated as a staker)";
      case "InvalidProofOfPossession" -> " (the BLS proof of possession did not verify)";
      default -> "";
    };
  }

  static String percent(BigInteger magnitude, BigInteger max) {
    if (max.signum() == 0) {
      return "0%";
    }
    BigInteger bps = magnitude.multiply(BigInteger.valueOf(10_000)).divide(max);
    return bps.divide(BigInteger.valueOf(100))
        + "."
        + String.format("%02d", bps.mod(BigInteger.valueOf(100)).intValue())
        + "% of max";
  }

  static String compressed(byte[] eip2537) {
    try {
      return BlsPublicKey.fromEip2537(eip2537).toHex();
    } catch (BlsException e) {
      return "(undecodable key " + eip2537.length + " bytes)";
    }
  }
}
