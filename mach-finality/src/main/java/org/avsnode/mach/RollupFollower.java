package org.avsnode.mach;

import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongUnaryOperator;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.operator.l2.L2Block;
import org.avsnode.operator.l2.L2Client;
import org.avsnode.operator.metrics.Counter;
import org.avsnode.operator.metrics.Labelled;
import org.avsnode.operator.metrics.NoOpMetricsSystem;
import org.avsnode.operator.net.MessageSender;
import org.avsnode.operator.quorum.SignedMessage;
import org.avsnode.operator.slashing.SigningResult;
import org.avsnode.operator.spi.DutySigner;
import org.avsnode.operator.spi.OutputVerdicts;
import org.avsnode.operator.spi.SequencedFinality;

/**
 * Follows one rollup's L2 head and attests to each new block: computes its output root, signs the
 * FinalityAttestation through the node's {@link DutySigner} and sends it to the aggregators.
 *
 * <p>Reorgs are detected through parent hashes: when block {@code n}'s parent is not the block this
 * follower attested at {@code n-1}, it steps back until the chains join and attests the new blocks
 * again. The protected signer refuses every height that already carries a signature for other
 * content (a reorged height keeps its first signature); the refusal is counted, never a crash.
 * Starts at the head it first sees (no backfill) and skips ahead when more than {@link #MAX_BEHIND}
 * blocks behind.
 *
 * <p>For a rollup the node's sequencing duty sequences ({@link SequencedFinality}), a block is
 * attested only once a slot commitment naming it is confirmed on L1 ({@link #withSequencing}): a
 * block a leader sealed but never got committed is dropped by the next leader, and a certificate
 * naming it would name a block the chain does not hold. The follower waits at that block (it reads
 * it again at every poll, so a replacement is attested in its place).
 */
final class RollupFollower {
  static final int MAX_BEHIND = 64;
  private static final int KEEP_HASHES = 256;

  private final long rollupId;
  private final L2Client l2;
  private final DutySigner signer;
  private final byte[] operator;
  private final LongUnaryOperator stakeEpoch;
  private final MessageSender sender;
  private final MachEvents events;
  private final BlockClock blockClock;
  private final Clock clock;
  private final Labelled<Counter> signatures;
  private final Counter reorgs;
  private org.avsnode.operator.metrics.Gauge headGauge = NoOpMetricsSystem.GAUGE;
  private org.avsnode.operator.metrics.Gauge attestedGauge = NoOpMetricsSystem.GAUGE;
  private Counter missed = NoOpMetricsSystem.COUNTER;

  /**
   * Whether a block of a rollup SQUAD sequences is committed with enough L1 confirmations; empty
   * when nothing says the rollup is sequenced (see {@link SequencedFinality#committed}).
   */
  @FunctionalInterface
  interface Commitments {
    Optional<Boolean> committed(
        long rollupId, long l2BlockNumber, byte[] l2BlockHash, int confirmations);
  }

  private Commitments sequencing = (rollup, number, hash, confirmations) -> Optional.empty();
  private int confirmations = 1;
  // the block this follower waits at for its commitment, and since when (poll thread only)
  private long waitingFor = -1;
  private Instant waitingSince;
  private volatile Optional<Wait> waiting = Optional.empty();

  /** A block not attested yet because no commitment naming it is confirmed on L1. */
  record Wait(long l2BlockNumber, byte[] l2BlockHash, Instant since) {}

  private final java.util.function.Supplier<Optional<OutputVerdicts>> vital;
  private volatile String vitalRefusal;
  private final TreeMap<Long, byte[]> attested = new TreeMap<>();
  private Long next;
  private volatile Instant lastSuccess;
  private volatile String lastError;

  RollupFollower(
      long rollupId,
      L2Client l2,
      DutySigner signer,
      byte[] operator,
      LongUnaryOperator stakeEpoch,
      MessageSender sender,
      MachEvents events,
      BlockClock blockClock,
      Clock clock,
      Labelled<Counter> signatures,
      Counter reorgs,
      java.util.function.Supplier<Optional<OutputVerdicts>> vital) {
    this.rollupId = rollupId;
    this.vital = Objects.requireNonNull(vital, "vital");
    this.l2 = Objects.requireNonNull(l2, "l2");
    this.signer = Objects.requireNonNull(signer, "signer");
    this.operator = operator.clone();
    this.stakeEpoch = Objects.requireNonNull(stakeEpoch, "stakeEpoch");
    this.sender = Objects.requireNonNull(sender, "sender");
    this.events = Objects.requireNonNull(events, "events");
    this.blockClock = Objects.requireNonNull(blockClock, "blockClock");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.signatures = Objects.requireNonNull(signatures, "signatures");
    this.reorgs = Objects.requireNonNull(reorgs, "reorgs");
  }

  long rollupId() {
    return rollupId;
  }

  /**
   * Where the follower reports its progress: the L2 head it saw, the last block it attested and the
   * blocks it skipped without attesting (more than {@link #MAX_BEHIND} behind).
   */
  RollupFollower withProgressMetrics(
      org.avsnode.operator.metrics.Gauge head,
      org.avsnode.operator.metrics.Gauge attestedBlock,
      Counter skipped) {
    this.headGauge = Objects.requireNonNull(head, "head");
    this.attestedGauge = Objects.requireNonNull(attestedBlock, "attestedBlock");
    this.missed = Objects.requireNonNull(skipped, "skipped");
    return this;
  }

  /**
   * Makes the follower ask {@code sequencing} (the node's squad duty, or the inbox on L1) whether a
   * block is committed with at least {@code confirmations} L1 blocks on its commitment before
   * attesting it.
   */
  RollupFollower withSequencing(Commitments sequencing, int confirmations) {
    this.sequencing = Objects.requireNonNull(sequencing, "sequencing");
    if (confirmations < 1) {
      throw new IllegalArgumentException("confirmations must be >= 1");
    }
    this.confirmations = confirmations;
    return this;
  }

  /** The block this follower waits at for its commitment on L1, if it waits. */
  Optional<Wait> waiting() {
    return waiting;
  }

  Optional<Instant> lastSuccess() {
    return Optional.ofNullable(lastSuccess);
  }

  Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  /** Why MACH currently refuses to attest (VITAL found an output invalid), if it does. */
  Optional<String> vitalRefusal() {
    return Optional.ofNullable(vitalRefusal);
  }

  /** One poll; called from the duty's scheduler, never concurrently. */
  synchronized void poll() {
    long head = l2.blockNumber();
    headGauge.set(head);
    if (next != null && head - next > MAX_BEHIND) {
      missed.inc(head - next);
    }
    if (next == null || head - next > MAX_BEHIND) {
      next = head;
    }
    while (next <= head) {
      Optional<L2Block> ob = l2.block(next);
      if (ob.isEmpty()) {
        break;
      }
      L2Block b = ob.get();
      blockClock.record(rollupId, b.number(), clock.instant(), b.timestamp());
      byte[] prev = attested.get(b.number() - 1);
      if (prev != null && !Arrays.equals(prev, b.parentHash())) {
        // the block we attested at n-1 is gone: step back and attest the new branch
        reorgs.inc();
        attested.remove(b.number() - 1);
        next = b.number() - 1;
        events.onReorg(rollupId, next);
        continue;
      }
      if (!sequenced(b)) {
        break; // read again at the next poll: its commitment, or a replacement block
      }
      attest(b);
      attested.put(b.number(), b.hash());
      while (attested.size() > KEEP_HASHES) {
        attested.pollFirstEntry();
      }
      next = b.number() + 1;
    }
    lastSuccess = clock.instant();
    lastError = null;
  }

  /**
   * Whether {@code b} may be attested as far as sequencing goes: no sequencing duty answers for
   * this rollup, or it says a commitment naming the block is confirmed.
   */
  private boolean sequenced(L2Block b) {
    Optional<Boolean> committed =
        sequencing.committed(rollupId, b.number(), b.hash(), confirmations);
    if (committed.isEmpty() || committed.get()) {
      waitingFor = -1;
      waitingSince = null;
      waiting = Optional.empty();
      return true;
    }
    if (waitingFor != b.number() || waitingSince == null) {
      waitingFor = b.number();
      waitingSince = clock.instant();
    }
    waiting = Optional.of(new Wait(b.number(), b.hash(), waitingSince));
    return false;
  }

  void failed(String error) {
    lastError = error;
  }

  private void attest(L2Block b) {
    // DESIGN.md §7: never attest to what VITAL rejects. With VITAL on, a block at or beyond an
    // output VITAL found invalid is not attested until a valid output supersedes it.
    Optional<OutputVerdicts> v = vital.get();
    boolean local =
        v.isPresent() && v.get().verdictFor(rollupId, b.number()) == OutputVerdicts.Verdict.INVALID;
    boolean quorum =
        v.isPresent()
            && !local
            && v.get().quorumVerdictFor(rollupId, b.number()) == OutputVerdicts.Verdict.INVALID;
    if (local || quorum) {
      signatures.labels("refused_vital_invalid").inc();
      vitalRefusal =
          "not attesting from block "
              + b.number()
              + " of rollup "
              + rollupId
              + (local
                  ? ": VITAL found an output at or below it invalid"
                  : ": the VITAL quorum invalidated an output at or below it on L1");
      events.onVitalRefusal(rollupId, b.number());
      return;
    }
    vitalRefusal = null;
    byte[] root = l2.outputRoot(b);
    FinalityAttestation m =
        new FinalityAttestation(
            rollupId, b.number(), b.hash(), root, stakeEpoch.applyAsLong(b.timestamp()));
    SigningResult r = signer.sign(m);
    if (!r.isSigned()) {
      signatures.labels("refused_" + r.reason().name().toLowerCase(java.util.Locale.ROOT)).inc();
      events.onRefused(m, r.reason() + ": " + r.detail());
      return;
    }
    signatures.labels("signed").inc();
    attestedGauge.set(b.number());
    SignedMessage<FinalityAttestation> a =
        new SignedMessage<>(m, operator, r.signature().toBytes());
    events.onAttested(a, b);
    sender.send(a);
  }
}
