package org.avsnode.squad;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.eip712.SlotAttestation;
import org.avsnode.operator.metrics.Counter;
import org.avsnode.operator.metrics.Labelled;
import org.avsnode.operator.net.MessageSender;
import org.avsnode.operator.quorum.SignedMessage;
import org.avsnode.operator.slashing.SigningResult;
import org.avsnode.squad.l2.L2Rpc;
import org.avsnode.squad.l2.L2RpcException;
import org.avsnode.squad.leader.SlotLedger;
import org.avsnode.squad.leader.SquadContracts;
import org.avsnode.squad.preconf.Preconfirmer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.utils.Numeric;

/**
 * The follower's side of every slot, on every node (the slot's leader included): for each
 * commitment the inbox logs, it fetches the committed block from the operator's own L2 node and
 * checks it.
 *
 * <ul>
 *   <li>the block's parent and transaction list are the committed ones;
 *   <li>every forced item the commitment consumed is in the block, unless the transaction could not
 *       run there (undecodable, another chain, a nonce or balance that does not fit the parent
 *       state, a fee cap under the block's base fee, a gas limit under its intrinsic gas);
 *   <li>every preconfirmation this node holds for the slot (its own, or gossiped and checked) names
 *       a transaction in the block.
 * </ul>
 *
 * <p>When all hold, it signs a {@code SlotAttestation(rollupId, slot, blockHash, stakeEpoch)}
 * through the node's signer (the stake epoch of the commitment's L1 block, so every honest node
 * signs the same bytes) and sends it to every operator, each of which aggregates a slot certificate
 * ({@link SlotCertificates}). A preconfirmed transaction missing from the block is a broken
 * promise: the node attests nothing and submits the evidence to the slashing coordinator ({@code
 * slashBrokenPreconfirmation}), after checking that nobody did already. A preconfirmation gossiped
 * after its slot was checked is checked against the block then.
 */
final class SlotFollower {
  private static final Logger LOG = LoggerFactory.getLogger(SlotFollower.class);

  /** L1 blocks read per {@code eth_getLogs}. */
  static final int MAX_LOG_RANGE = 2_000;

  /** How far back the first scan starts (L1 blocks before the head at start). */
  static final int FIRST_SCAN_DEPTH = 64;

  /** Polls a commitment waits for its block to reach the L2 node before it is given up. */
  static final int L2_ATTEMPTS = 100;

  /** A slot whose committed block was checked against its commitment. */
  record Checked(SquadContracts.Commitment commitment, List<byte[]> txHashes, Set<String> txs) {}

  private final SquadDuty.Running r;
  private final long rollupId;
  private final Labelled<Counter> outcomes;
  private final SlashingEvidence evidence;
  private final MessageSender sender;
  private final byte[] operator;
  private final long epochLength;
  private final Deque<SquadContracts.Commitment> waiting = new ArrayDeque<>();
  private final Map<Long, Checked> checked = SquadDuty.boundedMap(512);
  private final CommittedSlots committed = new CommittedSlots(4096);
  private volatile long fromBlock = -1;
  private long prevCursor = -1;
  private int attempts;

  SlotFollower(
      SquadDuty.Running r,
      long rollupId,
      long epochLength,
      MessageSender sender,
      Labelled<Counter> outcomes,
      Labelled<Counter> evidence) {
    this.r = r;
    this.rollupId = rollupId;
    this.epochLength = epochLength;
    this.sender = sender;
    this.outcomes = outcomes;
    this.evidence = new SlashingEvidence("broken preconfirmation", evidence);
    this.operator = Numeric.hexStringToByteArray(r.operator);
  }

  /**
   * See {@link CommittedSlots#carryAfter}, over the last {@value SquadDuty#ORPHAN_SLOTS} slots. A
   * leader opens as soon as the previous commitment lands, often before this follower has read it
   * (it polls less often than the slot clock ticks); were that the escape hatch's commitment, it
   * would not be known as one, and the promises of the slots left without a block before it would
   * not be carried. So when this view lacks {@code lastCommitted}, the L1 blocks it has not read
   * yet are read now (into a copy: the follower's own reading is unchanged).
   */
  long carryAfter(long lastCommitted) {
    java.util.TreeMap<Long, SquadContracts.Commitment> view;
    long unreadFrom;
    synchronized (committed) {
      if (committed.of(lastCommitted) != null) {
        return committed.carryAfter(lastCommitted, SquadDuty.ORPHAN_SLOTS);
      }
      view = new java.util.TreeMap<>(committed.view());
      unreadFrom = fromBlock; // set after the view is applied, so never ahead of it
    }
    try {
      long head = r.contracts.blockNumber();
      long from = unreadFrom < 0 ? Math.max(0, head - FIRST_SCAN_DEPTH) : unreadFrom;
      for (SquadContracts.Commitment c : commitments(from, head)) {
        view.put(c.slot(), c);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("squad: reading the commitments this node has not followed yet: {}", e.getMessage());
    }
    return CommittedSlots.carryAfter(view, lastCommitted, SquadDuty.ORPHAN_SLOTS);
  }

  /** The block committed for {@code slot} as this node read it from L1, or null. */
  byte[] committedBlock(long slot) {
    synchronized (committed) {
      SquadContracts.Commitment c = committed.of(slot);
      return c == null ? null : c.blockHash();
    }
  }

  /**
   * How many L1 blocks confirm the live commitment naming L2 block {@code blockHash}, counting the
   * one it is logged in, as of this node's last reading of L1: 0 when no commitment it holds names
   * that block.
   */
  long confirmations(byte[] blockHash) {
    synchronized (committed) {
      SquadContracts.Commitment c = committed.naming(blockHash);
      return c == null ? 0 : Math.max(0, readHead - c.l1Block() + 1);
    }
  }

  /** The L1 head of the last reading applied to {@link #committed}; guarded by it. */
  private long readHead = -1;

  /**
   * The live commitment of the highest slot logged at or below L1 block {@code l1Block}, or null
   * when this node holds none (the first scan reads the last {@value #FIRST_SCAN_DEPTH} L1 blocks).
   */
  SquadContracts.Commitment latestLoggedBy(long l1Block) {
    synchronized (committed) {
      return committed.latestLoggedBy(l1Block);
    }
  }

  /**
   * The commitments logged in L1 blocks {@code from..to}, {@value #MAX_LOG_RANGE} blocks a read.
   */
  private List<SquadContracts.Commitment> commitments(long from, long to) throws IOException {
    List<SquadContracts.Commitment> read = new java.util.ArrayList<>();
    for (long at = from; at <= to; at += MAX_LOG_RANGE) {
      read.addAll(r.contracts.commitments(at, Math.min(to, at + MAX_LOG_RANGE - 1)));
    }
    return read;
  }

  /** Commitments retracted so far (L1 reorgs removed them); written on the follower's thread. */
  private volatile long retractions;

  /** How many commitments L1 reorgs have removed since this follower started. */
  long retractions() {
    return retractions;
  }

  /** Reads new commitments from L1 and checks each, in order; called on the follower's thread. */
  void poll() throws IOException, L2RpcException {
    long head = r.contracts.blockNumber();
    if (fromBlock < 0) {
      fromBlock = Math.max(0, head - FIRST_SCAN_DEPTH);
    }
    // the L1 blocks above the finalized one are read again (at least the last REORG_DEPTH): a
    // commitment a reorg removed is retracted
    long from = CommittedSlots.scanFrom(head, fromBlock, r.l1Finalized);
    List<SquadContracts.Commitment> read = commitments(from, head);
    CommittedSlots.Changes changes;
    synchronized (committed) {
      changes = committed.apply(from, read);
      readHead = head;
    }
    for (SquadContracts.Commitment gone : changes.retracted()) {
      retract(gone);
    }
    waiting.addAll(changes.added());
    fromBlock = head + 1;
    SquadContracts.Commitment c;
    while ((c = waiting.peek()) != null) {
      L2Rpc.Head block = r.l2.blockByHash(c.blockHash());
      if (block == null) {
        if (++attempts < L2_ATTEMPTS) {
          return; // the L2 node has not imported it yet: in order, so the rest waits too
        }
        outcome("l2_unavailable", c, "the L2 node never had block " + hex(c.blockHash()));
      } else {
        check(c, block);
      }
      waiting.poll();
      attempts = 0;
      prevCursor = c.forcedCursor();
    }
  }

  /**
   * An L1 reorg removed the commitment: it is no longer checked or waited for, its slot's check is
   * forgotten (a new commitment of the slot is checked afresh; an attestation this node signed for
   * the removed one stays signed, and the slashing protection refuses a second one for the slot),
   * and the forced-inclusion check of the next commitment is skipped (its cursor chain changed).
   */
  private void retract(SquadContracts.Commitment gone) {
    retractions++;
    SquadContracts.Commitment first = waiting.peek();
    waiting.removeIf(w -> CommittedSlots.same(w, gone));
    if (first != null && CommittedSlots.same(first, gone)) {
      attempts = 0; // the L2 wait was for the removed one
    }
    Checked done = checked.get(gone.slot());
    if (done != null && CommittedSlots.same(done.commitment(), gone)) {
      checked.remove(gone.slot());
    }
    prevCursor = -1;
    outcomes.labels("retracted").inc();
    LOG.warn(
        "squad: slot {}'s commitment (block {}, L1 block {}) was removed by an L1 reorg",
        gone.slot(),
        hex(gone.blockHash()),
        gone.l1Block());
  }

  private void check(SquadContracts.Commitment c, L2Rpc.Head block)
      throws IOException, L2RpcException {
    if (!Arrays.equals(block.parentHash(), c.parentHash())) {
      outcome("mismatch", c, "the L2 node's block has another parent than the committed one");
      return;
    }
    if (!Arrays.equals(SquadDuty.txListHash(block.txHashes()), c.txListHash())) {
      outcome("mismatch", c, "the L2 node's block holds another transaction list");
      return;
    }
    Set<String> txs = new HashSet<>();
    for (byte[] h : block.txHashes()) {
      txs.add(Numeric.toHexString(h));
    }
    Checked done = new Checked(c, List.copyOf(block.txHashes()), Set.copyOf(txs));
    checked.put(c.slot(), done);
    String problem = null;
    Map<String, SquadDuty.StoredPreconfirmation> promised = r.promised(c.slot());
    for (SquadDuty.StoredPreconfirmation p : promised.values()) {
      if (!txs.contains(p.txHash())) {
        breach(p, done);
        problem = "breach";
      }
    }
    if (problem != null) {
      outcome("breach", c, "a preconfirmed transaction is missing: evidence submitted");
      return;
    }
    if (prevCursor >= 0 && c.forcedCursor() > prevCursor) {
      String censored = censoredForcedItem(c, block, txs);
      if (censored != null) {
        outcome("forced_missing", c, censored);
        return;
      }
    }
    attest(c);
  }

  /**
   * The first forced item the commitment consumed that the block leaves out although it could have
   * run there (forced items come first in a block, in queue order), or null.
   */
  private String censoredForcedItem(SquadContracts.Commitment c, L2Rpc.Head block, Set<String> txs)
      throws IOException, L2RpcException {
    List<SquadContracts.Forced> items = r.contracts.forced(prevCursor, c.forcedCursor());
    Map<String, BigInteger> nonces = new HashMap<>();
    Map<String, BigInteger> balances = new HashMap<>();
    // the state after the block's parent, by its hash: a number could name another block by the
    // time it is read, when a node sharing the L2 node has rolled back and mined
    byte[] parent = block.parentHash();
    for (SquadContracts.Forced f : items) {
      Optional<Preconfirmer.Tx> decoded = Preconfirmer.decode(f.rawTx(), r.l2ChainId);
      if (decoded.isEmpty()) {
        continue; // could never run: excused
      }
      Preconfirmer.Tx t = decoded.get();
      BigInteger nonce = nonces.get(t.sender());
      if (nonce == null) {
        nonce = r.l2.nonceAfter(t.sender(), parent);
        balances.put(t.sender(), r.l2.balanceAfter(t.sender(), parent));
      }
      BigInteger balance = balances.get(t.sender());
      BigInteger cost = t.gasLimit().multiply(t.maxFeePerGas()).add(t.value());
      boolean runnable =
          t.nonce().equals(nonce)
              && cost.compareTo(balance) <= 0
              && t.maxFeePerGas().compareTo(block.baseFeePerGas()) >= 0
              && t.gasLimit().compareTo(SlotLedger.intrinsicGas(t)) >= 0
              && t.gasLimit().compareTo(block.gasLimit()) <= 0;
      boolean included = txs.contains(Numeric.toHexString(f.txHash()));
      if (included) {
        nonces.put(t.sender(), t.nonce().add(BigInteger.ONE));
        balances.put(t.sender(), balance.subtract(cost));
      } else {
        nonces.put(t.sender(), nonce);
        if (runnable) {
          return "forced item "
              + f.index()
              + " ("
              + hex(f.txHash())
              + ") was consumed, not included";
        }
      }
    }
    return null;
  }

  private void attest(SquadContracts.Commitment c) {
    SlotAttestation a =
        new SlotAttestation(rollupId, c.slot(), c.blockHash(), c.l1Block() / epochLength);
    SigningResult s = r.signer.sign(a);
    if (!s.isSigned()) {
      outcome("refused", c, "slashing protection refused the attestation: " + s.detail());
      return;
    }
    SignedMessage<SlotAttestation> m = new SignedMessage<>(a, operator, s.signature().toBytes());
    SlotCertificates own = r.certificates;
    if (own != null) {
      own.submit(m);
    }
    sender.send(m);
    outcomes.labels("attested").inc();
    LOG.debug("squad: slot {} checked and attested: block {}", c.slot(), hex(c.blockHash()));
  }

  private void outcome(String what, SquadContracts.Commitment c, String detail) {
    outcomes.labels(what).inc();
    r.publish(
        "check",
        "slot " + c.slot(),
        what,
        null,
        detail + " (committed by " + c.committer() + " at rank " + c.rank() + ")",
        what.equals("breach") ? "alert" : "warn");
    LOG.warn(
        "squad: slot {} (committed by {}, rank {}) not attested: {}",
        c.slot(),
        c.committer(),
        c.rank(),
        detail);
  }

  /**
   * A preconfirmation for {@code slot} arrived (gossip) or was made after the slot's block was
   * checked: evidence when the block does not hold its transaction.
   */
  void lateCheck(SquadDuty.StoredPreconfirmation p) {
    Checked done = checked.get(p.slot());
    if (done != null && !done.txs().contains(p.txHash())) {
      LOG.warn(
          "squad: preconfirmation of {} for slot {} arrived after the slot's block, which lacks it",
          p.txHash(),
          p.slot());
      breach(p, done);
    }
  }

  /**
   * Submits the evidence of a broken preconfirmation, once per node: after a delay that staggers
   * the followers (by this node's index), and only if nobody has used the same evidence.
   */
  private void breach(SquadDuty.StoredPreconfirmation p, Checked done) {
    LOG.warn(
        "squad: BROKEN PRECONFIRMATION: {} preconfirmed {} for slot {}, and the block committed"
            + " for the slot ({}) lacks it",
        p.operator(),
        p.txHash(),
        p.slot(),
        hex(done.commitment().blockHash()));
    byte[] txHash = Numeric.hexStringToByteArray(p.txHash());
    evidence.submitOnce(
        r,
        p.operator() + "/" + p.slot() + "/" + p.txHash(),
        new SlashingEvidence.Offence() {
          @Override
          public boolean alreadyUsed() throws IOException {
            return r.contracts.brokenPreconfirmationSlashed(
                p.operator(), rollupId, p.slot(), txHash);
          }

          @Override
          public String callData() {
            return r.contracts.slashBrokenPreconfirmationCall(
                p.operator(),
                rollupId,
                p.slot(),
                txHash,
                BlsSignature.fromHex(p.signature()).toEip2537(),
                done.commitment(),
                done.txHashes());
          }
        });
  }

  private static String hex(byte[] b) {
    return SquadDuty.short32(b);
  }
}
