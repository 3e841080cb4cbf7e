package org.avsnode.squad.leader;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.avsnode.contracts.bindings.AvsRegistry;
import org.avsnode.contracts.bindings.ForcedInclusionQueue;
import org.avsnode.contracts.bindings.SequencerInbox;
import org.avsnode.contracts.bindings.SlashingCoordinator;
import org.avsnode.squad.schedule.SlotScheduleContract;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.utils.Numeric;

/**
 * The L1 reads and call data the sequencer needs from its rollup's inbox and forced-inclusion
 * queue, and from the AVS registry (operator addresses by index). Every read failure is an {@link
 * IOException}.
 */
public final class SquadContracts {
  private final Web3j web3j;
  private final SequencerInbox inbox;
  private final ForcedInclusionQueue queue;
  private final AvsRegistry registry;
  private final SlashingCoordinator coordinator;
  private final long operatorSetId;
  private volatile long dueAfter = -1;
  private volatile long escapeAfter = -1;

  /** A forced transaction of the queue. */
  public record Forced(long index, byte[] txHash, byte[] rawTx, long dueAt) {}

  /** The rank the inbox records for an escape-hatch commitment ({@code SequencerInbox.ESCAPE}). */
  public static final int ESCAPE_RANK = 255;

  /** A slot's commitment, as the inbox's {@code SlotCommitted} event gives it. */
  public record Commitment(
      long slot,
      String committer,
      int rank,
      byte[] parentHash,
      byte[] blockHash,
      byte[] txListHash,
      long forcedCursor,
      long l1Block) {}

  public SquadContracts(
      Web3j web3j,
      String inbox,
      String queue,
      String registry,
      long operatorSetId,
      String slashingCoordinator) {
    this.web3j = Objects.requireNonNull(web3j, "web3j");
    ReadonlyTransactionManager ro =
        new ReadonlyTransactionManager(web3j, "0x0000000000000000000000000000000000000000");
    DefaultGasProvider gas = new DefaultGasProvider();
    this.inbox = SequencerInbox.load(inbox, web3j, ro, gas);
    this.queue = ForcedInclusionQueue.load(queue, web3j, ro, gas);
    this.registry = AvsRegistry.load(registry, web3j, ro, gas);
    this.coordinator = SlashingCoordinator.load(slashingCoordinator, web3j, ro, gas);
    this.operatorSetId = operatorSetId;
  }

  public String inboxAddress() {
    return inbox.getContractAddress();
  }

  /** The L2 block the next commitment must build on. */
  public byte[] lastBlockHash() throws IOException {
    return call(inbox.lastBlockHash());
  }

  /** The last committed slot, or -1 before the first commitment. */
  public long lastSlot() throws IOException {
    if (call(inbox.committedCount()).signum() == 0) {
      return -1;
    }
    return call(inbox.lastSlot()).longValueExact();
  }

  public long graceSeconds() throws IOException {
    return call(inbox.graceSeconds()).longValueExact();
  }

  /** The operator's index in the set, or -1 when it is not registered. */
  public int operatorIndex(String operator) throws IOException {
    try {
      return call(registry.operatorIndex(BigInteger.valueOf(operatorSetId), operator))
          .intValueExact();
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).contains("revert")) {
        return -1;
      }
      throw e;
    }
  }

  /** The address (lower case) of the set's operator at {@code index}. */
  public String operatorAt(int index) throws IOException {
    return call(registry.operatorAt(BigInteger.valueOf(operatorSetId), BigInteger.valueOf(index)))
        .toLowerCase(java.util.Locale.ROOT);
  }

  /** The latest L1 block's timestamp (the clock the inbox and the queue read). */
  public long latestTimestamp() throws IOException {
    var b = web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf("latest"), false).send();
    if (b.hasError() || b.getBlock() == null) {
      throw new IOException("eth_getBlockByNumber(latest) failed");
    }
    return b.getBlock().getTimestamp().longValueExact();
  }

  /** The queue's cursor (items before it are included) and its length. */
  public long[] queueCursorAndLength() throws IOException {
    return new long[] {
      call(queue.cursor()).longValueExact(), call(queue.length()).longValueExact()
    };
  }

  /**
   * Forced items {@code [from, to)} with their raw transactions and when each is due, from the
   * queue's events (one {@code eth_getLogs}).
   */
  public List<Forced> forced(long from, long to) throws IOException {
    List<Forced> out = new ArrayList<>();
    if (from >= to) {
      return out;
    }
    dueAfter();
    EthFilter f =
        new EthFilter(
            DefaultBlockParameter.valueOf(BigInteger.ZERO),
            DefaultBlockParameter.valueOf("latest"),
            queue.getContractAddress());
    f.addSingleTopic(
        org.web3j.abi.EventEncoder.encode(ForcedInclusionQueue.FORCEDTRANSACTION_EVENT));
    List<String> indices = new ArrayList<>();
    for (long i = from; i < to; i++) {
      indices.add(Numeric.toHexStringWithPrefixZeroPadded(BigInteger.valueOf(i), 64));
    }
    f.addOptionalTopics(indices.toArray(new String[0]));
    EthLog logs = web3j.ethGetLogs(f).send();
    if (logs.hasError()) {
      throw new IOException("eth_getLogs: " + logs.getError().getMessage());
    }
    java.util.TreeMap<Long, Forced> byIndex = new java.util.TreeMap<>();
    for (EthLog.LogResult<?> r : logs.getLogs()) {
      Log log = (Log) r.get();
      var ev = ForcedInclusionQueue.getForcedTransactionEventFromLog(log);
      long index = ev.index.longValueExact();
      byte[] raw = ev.rawTx;
      if (!Arrays.equals(org.web3j.crypto.Hash.sha3(raw), ev.txHash)) {
        throw new IOException("forced item " + index + ": the event's bytes do not hash to it");
      }
      byIndex.put(
          index, new Forced(index, ev.txHash, raw, ev.enqueuedAt.longValueExact() + dueAfter));
    }
    for (long i = from; i < to; i++) {
      Forced item = byIndex.get(i);
      if (item == null) {
        throw new IOException("forced item " + i + ": no event found");
      }
      out.add(item);
    }
    return out;
  }

  /**
   * The number of the L1 block the L1 node reports finalized ({@code eth_getBlockByNumber
   * ("finalized")}); empty when it reports none (a node without that tag, or none yet).
   */
  public java.util.OptionalLong finalizedBlockNumber() throws IOException {
    var b =
        web3j
            .ethGetBlockByNumber(org.web3j.protocol.core.DefaultBlockParameterName.FINALIZED, false)
            .send();
    if (b.hasError() || b.getBlock() == null || b.getBlock().getNumber() == null) {
      return java.util.OptionalLong.empty();
    }
    return java.util.OptionalLong.of(b.getBlock().getNumber().longValueExact());
  }

  /** The latest L1 block number. */
  public long blockNumber() throws IOException {
    var n = web3j.ethBlockNumber().send();
    if (n.hasError()) {
      throw new IOException("eth_blockNumber: " + n.getError().getMessage());
    }
    return n.getBlockNumber().longValueExact();
  }

  /** The inbox's commitments logged in L1 blocks {@code [from, to]}, in log order. */
  public List<Commitment> commitments(long from, long to) throws IOException {
    EthFilter f =
        new EthFilter(
            DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
            DefaultBlockParameter.valueOf(BigInteger.valueOf(to)),
            inbox.getContractAddress());
    f.addSingleTopic(org.web3j.abi.EventEncoder.encode(SequencerInbox.SLOTCOMMITTED_EVENT));
    EthLog logs = web3j.ethGetLogs(f).send();
    if (logs.hasError()) {
      throw new IOException("eth_getLogs: " + logs.getError().getMessage());
    }
    List<Commitment> out = new ArrayList<>();
    for (EthLog.LogResult<?> r : logs.getLogs()) {
      var e = SequencerInbox.getSlotCommittedEventFromLog((Log) r.get());
      out.add(
          new Commitment(
              e.slot.longValueExact(),
              e.committer.toLowerCase(java.util.Locale.ROOT),
              e.rank.intValueExact(),
              e.parentHash,
              e.blockHash,
              e.txListHash,
              e.forcedCursor.longValueExact(),
              e.l1Block.longValueExact()));
    }
    return out;
  }

  public String coordinatorAddress() {
    return coordinator.getContractAddress();
  }

  /** Whether evidence of this broken preconfirmation was already used (the operator slashed). */
  public boolean brokenPreconfirmationSlashed(
      String operator, long rollupId, long slot, byte[] txHash) throws IOException {
    byte[] key =
        call(
            coordinator.squadBrokenPreconfirmationEvidenceKey(
                operator, BigInteger.valueOf(rollupId), BigInteger.valueOf(slot), txHash));
    return call(coordinator.evidenceUsed(key));
  }

  /**
   * Call data of {@code SlashingCoordinator.slashBrokenPreconfirmation}: the preconfirmation, its
   * signature (EIP-2537 form), the slot's commitment and the committed block's transaction hashes.
   */
  public String slashBrokenPreconfirmationCall(
      String operator,
      long rollupId,
      long slot,
      byte[] txHash,
      byte[] signatureEip2537,
      Commitment c,
      List<byte[]> txHashes) {
    return coordinator
        .slashBrokenPreconfirmation(
            operator,
            new SlashingCoordinator.Preconfirmation(
                BigInteger.valueOf(rollupId), BigInteger.valueOf(slot), txHash),
            signatureEip2537,
            new SlashingCoordinator.SlotCommitment(
                c.parentHash(),
                c.blockHash(),
                c.txListHash(),
                BigInteger.valueOf(c.forcedCursor()),
                c.committer(),
                BigInteger.valueOf(c.rank()),
                BigInteger.valueOf(c.l1Block())),
            txHashes)
        .encodeFunctionCall();
  }

  /** Whether the operator was already slashed for two proposals for this slot. */
  public boolean doubleProposalSlashed(String operator, long rollupId, long slot)
      throws IOException {
    byte[] key =
        call(
            coordinator.squadDoubleProposalEvidenceKey(
                operator, BigInteger.valueOf(rollupId), BigInteger.valueOf(slot)));
    return call(coordinator.evidenceUsed(key));
  }

  /**
   * Call data of {@code SlashingCoordinator.slashSquadDoubleProposal}: two different proposals for
   * one slot and their signatures (EIP-2537 form).
   */
  public String slashDoubleProposalCall(
      String operator,
      org.avsnode.bls.eip712.SlotProposal a,
      byte[] signatureA,
      org.avsnode.bls.eip712.SlotProposal b,
      byte[] signatureB) {
    return coordinator
        .slashSquadDoubleProposal(operator, proposal(a), signatureA, proposal(b), signatureB)
        .encodeFunctionCall();
  }

  private static SlashingCoordinator.SlotProposal proposal(org.avsnode.bls.eip712.SlotProposal p) {
    return new SlashingCoordinator.SlotProposal(
        BigInteger.valueOf(p.rollupId()),
        BigInteger.valueOf(p.slot()),
        p.parentHash(),
        p.blockHash(),
        p.txListHash());
  }

  /** How long after it is due an item opens the escape hatch (seconds; read once). */
  public long escapeAfter() throws IOException {
    if (escapeAfter < 0) {
      escapeAfter = call(queue.escapeAfter()).longValueExact();
    }
    return escapeAfter;
  }

  /** How long after it is queued an item is due (seconds; read once). */
  public long dueAfter() throws IOException {
    if (dueAfter < 0) {
      dueAfter = call(queue.dueAfter()).longValueExact();
    }
    return dueAfter;
  }

  /**
   * The L1 time (unix seconds) at which the escape hatch opens for the queue's oldest item not
   * included yet ({@code escapeAfter} after it is due), or {@code Long.MAX_VALUE} when every item
   * is included. Three reads.
   */
  public long escapeOpensAt() throws IOException {
    long[] cl = queueCursorAndLength();
    if (cl[0] >= cl[1]) {
      return Long.MAX_VALUE;
    }
    var item = call(queue.itemAt(BigInteger.valueOf(cl[0])));
    return item.component3().longValueExact() + escapeAfter();
  }

  /** Call data of {@code SequencerInbox.commitForced} (the escape hatch). */
  public static String commitForcedCall(byte[] parentHash, byte[] blockHash, long forcedCursor) {
    return FunctionEncoder.encode(
        new Function(
            "commitForced",
            List.of(new Bytes32(parentHash), new Bytes32(blockHash), new Uint64(forcedCursor)),
            List.of()));
  }

  /** Call data of {@code SequencerInbox.commit}. */
  public static String commitCall(
      long slot, byte[] parentHash, byte[] blockHash, byte[] txListHash, long forcedCursor) {
    return FunctionEncoder.encode(
        new Function(
            "commit",
            List.of(
                new Uint64(slot),
                new Bytes32(parentHash),
                new Bytes32(blockHash),
                new Bytes32(txListHash),
                new Uint64(forcedCursor)),
            List.of()));
  }

  /** Call data of {@code SlotSchedule.fixNextEpoch}. */
  public static String fixNextEpochCall() {
    return FunctionEncoder.encode(new Function("fixNextEpoch", List.of(), List.of()));
  }

  private static <T> T call(org.web3j.protocol.core.RemoteCall<T> c) throws IOException {
    return SlotScheduleContract.call("SQUAD contracts", c);
  }
}
