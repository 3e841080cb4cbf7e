package org.avsnode.squad;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.SlotProposal;
import org.avsnode.operator.chain.L1Client;
import org.avsnode.operator.chain.TransactionSender;
import org.avsnode.operator.chain.TxReceipt;
import org.avsnode.operator.chain.TxRequest;
import org.avsnode.operator.metrics.Counter;
import org.avsnode.operator.metrics.Histogram;
import org.avsnode.operator.metrics.Labelled;
import org.avsnode.operator.metrics.MetricCategory;
import org.avsnode.operator.metrics.MetricsSystem;
import org.avsnode.operator.net.MessageSender;
import org.avsnode.operator.slashing.SigningResult;
import org.avsnode.operator.spi.Duty;
import org.avsnode.operator.spi.DutyContext;
import org.avsnode.operator.spi.DutySigner;
import org.avsnode.operator.spi.Health;
import org.avsnode.operator.time.DaemonThreads;
import org.avsnode.squad.l2.L2Lock;
import org.avsnode.squad.l2.L2Rpc;
import org.avsnode.squad.l2.L2RpcException;
import org.avsnode.squad.leader.PoolFeed;
import org.avsnode.squad.leader.SlotLedger;
import org.avsnode.squad.leader.SquadContracts;
import org.avsnode.squad.preconf.Preconfirmer;
import org.avsnode.squad.schedule.LeaderSchedule;
import org.avsnode.squad.schedule.SlotScheduleContract;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * SQUAD: the node's turn as the rollup's sequencer. On every slot it leads (the schedule computed
 * locally from the seed and weights fixed on L1), it preconfirms the transactions sent to its
 * JSON-RPC endpoint ({@link SquadRpc}, {@value #RPC_PATH}), checking each against the L2 state the
 * block builds on, and signs each {@code Preconfirmation} through the node's signer. At the slot's
 * end it seals: it hands the due forced-inclusion items and the preconfirmed transactions, in
 * acceptance order, to its L2 node (automine off), mines one block, checks that the block holds
 * every one, signs the {@code SlotProposal} (slashing protection refuses a proposal that leaves out
 * a preconfirmed transaction) and commits it to the {@code SequencerInbox}.
 *
 * <p>The sync gate: the node opens a slot only when its L2 head is the inbox's last committed
 * block, so it never builds on a block L1 has not accepted, nor on a stale head. A node that does
 * not lead the current slot forwards transactions to the leader's endpoint (the {@code peers}).
 *
 * <p>Also: preconfirmations gossiped to every operator ({@link PreconfirmationGossip}), followers'
 * checks, attestations and breach evidence ({@link SlotFollower}), backups taking over a missed
 * slot ({@link #takeOverIfMissed}), the escape hatch ({@link #escapeIfOpen}), and the final L2
 * block VITAL waits for ({@link #finalL2Block}). docs/squad.md describes each.
 */
public final class SquadDuty implements Duty, org.avsnode.operator.spi.SequencedFinality {
  public static final String ID = "squad";
  public static final String RPC_PATH = "/squad/rpc";
  static final MetricCategory CATEGORY = MetricCategory.of("avs", "squad");
  private static final Logger LOG = LoggerFactory.getLogger(SquadDuty.class);

  /** Most forced items taken into one block. */
  static final int MAX_FORCED_PER_SLOT = 64;

  /** How often the open slot's newly accepted transactions go to the L2 node (l2-feed). */
  static final long FEED_INTERVAL_MILLIS = 20;

  /** The most transactions one feeding step hands the L2 node. */
  static final int FEED_BATCH = 500;

  /** How long a transaction sent to the leader waits for its slot to open (the sync gate). */
  static final long OPEN_WAIT_MILLIS = 3_000;

  /**
   * How long the trouble of a slot this node led or took over keeps its SQUAD health Partial when
   * nothing newer happens: the window of the {@code AvsSquadSlotLost} alert, which fires for the
   * same lost slots. Until 2026-12-07 it stayed until the node next opened a slot, which at N
   * operators is about every N slots, hours at a hundred operators.
   */
  static final long PROBLEM_SHOWN_MILLIS = 15 * 60_000;

  /** How often signed preconfirmations are posted to the peers. */
  static final long GOSSIP_MILLIS = 20;

  /**
   * How long before its end a slot opens at the latest, whatever happened to the one before (an
   * almost empty block that keeps the chain moving, rather than a stall).
   */
  static final long LAST_RESORT_MILLIS = 250;

  /**
   * How long before its own window closes a leader that opened on a pending block ({@link
   * #openOnPending}) stops waiting for that block's fate and leaves its slot unsealed: about one L1
   * block, for its commitment to land.
   */
  static final long PENDING_SEAL_MARGIN_MILLIS = 1_000;

  /** How often such a leader reads the inbox again while it waits. */
  static final long PENDING_POLL_MILLIS = 100;

  /**
   * How far inside its window a backup starts and stops taking over a missed slot (at most a
   * quarter of the window). Short: with L1 blocks a second apart, a commitment sent more than about
   * a second after a 2-second window opens lands in the block stamped with its close and reverts
   * {@code TooLateForRank}; at 500 ms, backups on the loaded devnet sent theirs 1.2 s in and every
   * one reverted (DevnetChaosIT, 2026-12-06). A commitment sent before L1's clock reaches the
   * window is sent again ({@link #commitOnceOpen}).
   */
  static final long TAKEOVER_MARGIN_MILLIS = 100;

  /**
   * Whether a backup may start taking a slot over at {@code now} in its window {@code [opens,
   * closes)}: from {@link #TAKEOVER_MARGIN_MILLIS} after it opens (at most a quarter of the window)
   * until half the window has gone. Later, the commitment (after asking the peers for up to 250 ms
   * and building the block) is unlikely to land in an L1 block before the window closes: on the
   * devnet, L1 blocks are half a window apart. A backup restarted 1.3 s into its 2-second window
   * took over, its commitment reverted {@code TooLateForRank}, and its L2 block, pending until
   * then, kept the next slot's leader from opening (a chaos run, 2026-12-06).
   */
  static boolean mayStartTakeover(long now, long opens, long closes) {
    long window = closes - opens;
    return now >= opens + Math.min(TAKEOVER_MARGIN_MILLIS, window / 4) && now < opens + window / 2;
  }

  /** How often a commitment refused because L1's clock is behind this node's is tried again. */
  static final long TOO_EARLY_RETRY_MILLIS = 250;

  /**
   * How far L1's time may trail the wall clock when L1's latest block is older than that: a
   * transaction sent now lands in a block whose timestamp is at most this much before now (Ethereum
   * proposes a block within seconds of its slot's start; anvil stamps a block when it mines it).
   */
  static final long L1_LAG_MILLIS = 4_000;

  /** How many earlier slots without a block a leader carries preconfirmed transactions from. */
  static final int ORPHAN_SLOTS = 32;

  /** How long a backup taking a slot over waits for its peers' preconfirmations of the slot. */
  static final Duration PULL_WAIT = Duration.ofMillis(250);

  /** The longest wait for the turn to write to an L2 node shared with other nodes. */
  static final Duration L2_LOCK_WAIT = Duration.ofSeconds(10);

  private final DutyContext context;
  private final SquadConfig config;
  private final Clock clock;
  private final SquadRpc rpc;
  private final PreconfirmationGossip gossip;
  private final ProposalGossip proposals;
  private final SquadFaults faults;
  private final L2Lock l2Lock;
  private final java.util.Optional<org.avsnode.operator.spi.ActivityFeed> feed;
  private boolean routesInstalled;

  // metrics (created once)
  private final Labelled<Counter> preconfirmations;
  private final Labelled<Counter> slots;
  private final Labelled<Counter> forwarded;
  private final Labelled<Counter> rpcRequests;
  private final Histogram preconfirmSeconds;
  private final Histogram commitGas;
  private final Histogram handoverSeconds;
  private final Counter droppedBlocks;
  private final Labelled<Counter> escapeRechecks;
  private final org.avsnode.operator.metrics.Gauge finalL2Gauge;

  /**
   * The highest L2 block whose commitment is in a finalized L1 block (see {@link #updateFinal}).
   */
  private final java.util.concurrent.atomic.AtomicLong finalL2 =
      new java.util.concurrent.atomic.AtomicLong();

  private final Labelled<Counter> carriedTxs;
  private final Labelled<Counter> feedSeals;
  private final Labelled<Counter> slotChecks;
  private final Labelled<Counter> breachEvidence;
  private final Labelled<Counter> attestationsSent;
  private final Labelled<Counter> attestationsReceived;
  private final Counter certificatesMade;

  private volatile Running running;

  /**
   * A slot this node leads and accepts transactions for: its admission ledger, its base block, and
   * the preconfirmed transactions of earlier slots that have no block on L1 which it carries (see
   * {@link #orphaned}), admitted into the ledger first. {@code carriedIfBaseDropped} is null when
   * {@code base} was the inbox's last committed block at opening; otherwise the base was an earlier
   * slot's block still pending on L1 (see {@link #openOnPending}), and these are its transactions
   * (forced items left out) that the slot carries should that block never be committed. {@code
   * noPreconfirmations} is why the slot takes no transaction ({@link #escapeExposure}), or null.
   */
  record OpenSlot(
      long slot,
      SlotLedger ledger,
      L2Rpc.Head base,
      List<byte[]> carried,
      List<byte[]> carriedIfBaseDropped,
      String noPreconfirmations) {}

  /** A slot that takes no more transactions, and why. */
  record SlotRefusal(long slot, String why) {}

  /**
   * Why the leader of a slot whose window closes at {@code closesAt} (L1 unix seconds) must not
   * preconfirm anything for it, or null. While the escape hatch is open, anyone may commit the
   * current slot through {@code commitForced} with only the due forced items; had the leader
   * preconfirmed a transaction for that slot, the block committed for it would not hold the
   * transaction, which is a provable breach (DESIGN.md §4): the leader would be slashed although it
   * did nothing wrong. The hatch opens {@code escapeAfter} seconds after the queue's oldest item
   * not included is due ({@code oldestOpensAt}, read when the slot opens); an item queued later
   * opens it no earlier than {@code dueAfter + escapeAfter} after L1's time now. If either comes
   * before the leader's commitment must have landed, the slot takes no transaction; its block still
   * holds the due forced items, and its commitment closes the hatch.
   */
  static String escapeExposure(
      long oldestOpensAt, long l1NowSeconds, long dueAfter, long escapeAfter, long closesAt) {
    long opens = Math.min(oldestOpensAt, l1NowSeconds + dueAfter + escapeAfter);
    if (opens >= closesAt) {
      return null;
    }
    return "the forced-inclusion escape hatch "
        + (opens <= l1NowSeconds ? "is open" : "opens at L1 time " + opens)
        + ", before this slot's commitment must land (by "
        + closesAt
        + "): anyone may then commit the slot with the forced items only, so it takes no"
        + " transaction; send it again in the next slot";
  }

  /**
   * After the follower saw an L1 reorg remove a commitment: the open slot's exposure to the escape
   * hatch, read when it opened, is read again. The removed commitment may have included forced
   * items, so the queue's cursor may be back where the hatch is open or opens before this slot's
   * commitment lands; then the slot takes no more transactions (those already preconfirmed are
   * signed, and the commitment of the slot, which closes the hatch, is what protects them). When
   * the queue cannot be read, the slot refuses too.
   */
  void escapeRecheck(Running r) {
    OpenSlot o = r.open;
    if (o == null || o.noPreconfirmations() != null) {
      escapeRechecks.labels("no_open_slot").inc();
      return;
    }
    SlotRefusal refusal = recheck(o.slot(), () -> escapeExposure(r, o.slot()));
    escapeRechecks.labels(refusal == null ? "clear" : "refusing").inc();
    if (refusal != null) {
      r.refusedAfterReorg = refusal;
      LOG.warn(
          "squad: slot {}: after an L1 reorg, no more preconfirmations: {}",
          o.slot(),
          refusal.why());
    }
  }

  /** Reads {@link #escapeExposure} again. */
  interface ExposureRead {
    String read() throws IOException;
  }

  /**
   * The refusal of {@code slot} after the exposure is read again, or null when the hatch leaves it
   * alone; a read that fails refuses (the hatch may be open).
   */
  static SlotRefusal recheck(long slot, ExposureRead exposure) {
    String why;
    try {
      why = exposure.read();
    } catch (IOException | RuntimeException e) {
      why =
          "the forced-inclusion queue could not be read after an L1 reorg ("
              + e.getMessage()
              + "), so the escape hatch may be open: this slot takes no more transactions; send it"
              + " again in the next slot";
    }
    return why == null ? null : new SlotRefusal(slot, why);
  }

  /**
   * Why the open slot {@code o} takes no transaction: its exposure at opening, or a refusal after
   * an L1 reorg if that one is for this slot; null when it takes them.
   */
  static String refusal(OpenSlot o, SlotRefusal late) {
    if (o.noPreconfirmations() != null) {
      return o.noPreconfirmations();
    }
    return late != null && late.slot() == o.slot() ? late.why() : null;
  }

  /** {@link #escapeExposure} for {@code slot}, from the queue as it is now. */
  private String escapeExposure(Running r, long slot) throws IOException {
    long l1Now = l1NowMillis(r) / 1000;
    String why =
        escapeExposure(
            r.contracts.escapeOpensAt(),
            l1Now,
            r.contracts.dueAfter(),
            r.contracts.escapeAfter(),
            r.closesMillis(slot, 0) / 1000);
    if (why != null) {
      LOG.warn("squad: slot {}: no preconfirmations: {}", slot, why);
    }
    return why;
  }

  /** What one successful start built. */
  final class Running {
    final L2Rpc l2;
    final long l2ChainId;
    final SquadContracts contracts;
    final SlotScheduleContract schedule;
    final SlotScheduleContract.Parameters params;
    final long graceSeconds;
    final DutySigner signer;
    final TransactionSender sender;
    final String operator;
    final Preconfirmer preconfirmer;
    final ScheduledExecutorService scheduler;

    /** Hands the open slot's transactions to the L2 node as they come (l2-feed), or null. */
    final PoolFeed poolFeed;

    /** The feed's own thread, or null. */
    final ScheduledExecutorService feeder;

    final Map<Long, LeaderSchedule> epochs = new ConcurrentHashMap<>();
    final Map<Integer, String> addresses = new ConcurrentHashMap<>();
    final Map<String, StoredPreconfirmation> receipts = boundedMap(100_000);

    /** This node's preconfirmations that no peer was known to hold when last asked. */
    final Map<String, java.util.concurrent.CompletableFuture<Boolean>> unheld = boundedMap(100_000);

    final Map<String, byte[]> held = boundedMap(100_000);
    final org.avsnode.operator.registry.RegistryReader registry;
    final Map<String, URI> forwardedTo = boundedMap(100_000);

    /**
     * When this node first saw each recent L2 head (block hash to wall-clock millis): a block was
     * sealed at or before that moment, which bounds when it can still be committed ({@link
     * #dropAbove}). The L2 node's own timestamps cannot bound it: anvil's clock goes back with
     * every rollback.
     */
    final Map<String, Long> headSeen = boundedMap(256);

    /** Per slot, the preconfirmations this node holds (its own and gossiped), in arrival order. */
    final Map<Long, Map<String, StoredPreconfirmation>> promised = new ConcurrentHashMap<>();

    volatile SlotCertificates certificates;
    volatile SlotFollower follower;
    volatile OpenSlot open;
    volatile int selfIndex = -1;
    volatile long selfIndexReadAt;

    /**
     * Why this node cannot take part in the current slot now (not registered, the schedule not
     * fixed, the slot clock failing, or not started yet), or null: set again at every tick.
     */
    volatile String gate = "starting";

    /**
     * What holds up, or went wrong with, the slot this node leads or takes over, or the last one it
     * did; null when nothing did (see {@link #health}).
     */
    volatile String problem;

    /**
     * Set when an L1 reorg showed that the escape hatch may take the open slot ({@link
     * #escapeRecheck}): that slot takes no more transactions. Null otherwise.
     */
    volatile SlotRefusal refusedAfterReorg;

    /** The follower's retractions already answered by {@link #escapeRecheck}. */
    long retractionsSeen;

    /** When {@link #problem} was last set (this duty's clock). */
    volatile long problemAt;

    /** Sets {@link #problem} (null when the slot has no trouble) and when it was set. */
    void trouble(String why) {
      problemAt = clock.millis();
      problem = why;
    }

    long lastOpenedSlot = -1;
    long lastFixCheckSlot = -1;
    long lastTakeoverSlot = -1;
    long lastEscapeCheck;
    long finalCheckedAt;
    byte[] finalHash;

    /** L1's finalized block as last read ({@link #updateFinal}); -1 when not known. */
    long l1Finalized = -1;

    long escapeSeenAt = -1;
    long escapeCursor;
    List<SquadContracts.Forced> escapeItems;

    Running(
        L2Rpc l2,
        long l2ChainId,
        SquadContracts contracts,
        SlotScheduleContract schedule,
        SlotScheduleContract.Parameters params,
        long graceSeconds,
        DutySigner signer,
        TransactionSender sender,
        String operator,
        org.avsnode.operator.registry.RegistryReader registry) {
      this.registry = registry;
      this.l2 = l2;
      this.l2ChainId = l2ChainId;
      this.contracts = contracts;
      this.schedule = schedule;
      this.params = params;
      this.graceSeconds = graceSeconds;
      this.signer = signer;
      this.sender = sender;
      this.operator = operator;
      this.preconfirmer =
          new Preconfirmer(
              signer, config.rollupId(), l2ChainId, config.maxTxBytes(), config.maxTxPerSlot());
      this.scheduler =
          // the slot clock, the gossip, the follower (each never overlapping itself), and the
          // evidence submissions and the aggregators' timers
          Executors.newScheduledThreadPool(
              4, DaemonThreads.named("squad-" + operator.substring(0, 10)));
      if (config.l2Feed()) {
        this.poolFeed =
            new PoolFeed(
                new PoolFeed.Pool() {
                  @Override
                  public List<String> send(List<byte[]> rawTxs) throws L2RpcException, IOException {
                    return l2Lock.holding(() -> l2.sendRawTransactions(rawTxs));
                  }

                  @Override
                  public void drop() throws L2RpcException, IOException {
                    l2Lock.holding(
                        () -> {
                          l2.dropPool();
                          return null;
                        });
                  }
                });
        this.feeder =
            Executors.newSingleThreadScheduledExecutor(
                DaemonThreads.named("squad-l2-feed-" + operator.substring(0, 10)));
      } else {
        this.poolFeed = null;
        this.feeder = null;
      }
    }

    /**
     * Publishes what this node did on the node's activity feed (the status page), when the node has
     * one: {@code kind} {@code slot} (a slot this node committed or lost), {@code check} (a
     * committed slot that failed this node's check as a follower) or {@code evidence} (an offence
     * seen, and this node's evidence of it); {@code level} as {@link
     * org.avsnode.operator.spi.ActivityFeed.Entry}.
     */
    void publish(
        String kind,
        String subject,
        String outcome,
        Long latencyMillis,
        String detail,
        String level) {
      feed.ifPresent(
          f ->
              f.publish(
                  ID, kind, config.rollupId(), subject, outcome, latencyMillis, detail, level));
    }

    /** The preconfirmations held for {@code slot} (empty when none). */
    Map<String, StoredPreconfirmation> promised(long slot) {
      Map<String, StoredPreconfirmation> m = promised.get(slot);
      if (m == null) {
        return Map.of();
      }
      synchronized (m) {
        return new LinkedHashMap<>(m);
      }
    }

    /** The preconfirmations held for {@code slot}, in the order they arrived. */
    List<StoredPreconfirmation> promisedInOrder(long slot) {
      return new ArrayList<>(promised(slot).values());
    }

    long slotAt(long millis) {
      long g = params.genesisTime() * 1000;
      return millis < g ? -1 : (millis - g) / (params.slotSeconds() * 1000);
    }

    long currentSlot() {
      return slotAt(clock.millis());
    }

    /** The leader's index of {@code slot}, or {@link LeaderSchedule#NONE} when it is unknown. */
    int leaderOf(long slot) throws IOException {
      LeaderSchedule s = scheduleOf(slot);
      return s == null ? LeaderSchedule.NONE : s.leaderOf(slot);
    }

    /** This node's rank in {@code slot} (0 leads), or {@link LeaderSchedule#NONE}. */
    int selfRankOf(long slot) throws IOException {
      LeaderSchedule s = scheduleOf(slot);
      return s == null || selfIndex < 0 ? LeaderSchedule.NONE : s.rankOf(slot, selfIndex);
    }

    private LeaderSchedule scheduleOf(long slot) throws IOException {
      if (slot < 0) {
        return null;
      }
      long epoch = params.epochOf(slot);
      LeaderSchedule s = epochs.get(epoch);
      if (s == null) {
        Optional<SlotScheduleContract.Epoch> e = schedule.epoch(epoch, params.backups());
        if (e.isEmpty()) {
          return null;
        }
        s = e.get().schedule();
        epochs.put(epoch, s);
        epochs.keySet().removeIf(k -> k < epoch - 2);
      }
      return s;
    }

    /** The last rank of {@code slot} that has an operator (0 when only a leader is drawn). */
    int lastRank(long slot) throws IOException {
      LeaderSchedule s = scheduleOf(slot);
      if (s == null) {
        return params.backups();
      }
      int[] ranks = s.ranksOf(slot);
      int last = 0;
      for (int k = 0; k < ranks.length; k++) {
        if (ranks[k] != LeaderSchedule.NONE) {
          last = k;
        }
      }
      return last;
    }

    /** When {@code slot} starts, in epoch milliseconds. */
    long startMillis(long slot) {
      return (params.genesisTime() + slot * params.slotSeconds()) * 1000;
    }

    /** When rank {@code rank}'s window to commit {@code slot} opens (the inbox's opensAt). */
    long opensMillis(long slot, int rank) {
      return rank == 0 ? startMillis(slot) : startMillis(slot + 1) + rank * graceSeconds * 1000;
    }

    /** When rank {@code rank}'s window closes (the inbox's closesAt, exclusive). */
    long closesMillis(long slot, int rank) {
      return startMillis(slot + 1) + (rank + 1L) * graceSeconds * 1000;
    }

    String addressOf(int index) throws IOException {
      String a = addresses.get(index);
      if (a == null) {
        a = contracts.operatorAt(index);
        addresses.put(index, a);
      }
      return a;
    }
  }

  /** A preconfirmation this node made, as {@code squad_getPreconfirmation} answers it. */
  record StoredPreconfirmation(
      long slot, String txHash, String signature, String operator, String publicKey) {}

  public SquadDuty(DutyContext context, SquadConfig config) {
    this.context = context;
    this.config = config;
    this.clock = context.clock();
    this.faults = context.observers().get(SquadFaults.class).orElse(SquadFaults.NONE);
    this.l2Lock = new L2Lock(config.l2RpcUrl(), config.l2LockFile(), L2_LOCK_WAIT);
    this.feed = context.ports().get(org.avsnode.operator.spi.ActivityFeed.class);
    MetricsSystem m = context.metrics();
    preconfirmations =
        m.counter(
            CATEGORY,
            "preconfirmations_total",
            "Transactions sent to this node while it led the slot, by outcome (signed, repeat,"
                + " the refusal's reason, or unheld: signed, but no peer held the preconfirmation"
                + " within a second, so no receipt was given)",
            "outcome");
    slots =
        m.counter(
            CATEGORY,
            "slots_total",
            "Slots this node led, by outcome (committed, not_synced, commit_failed, incomplete,"
                + " proposal_refused, l2_failed, empty_schedule; rebased: built on another block"
                + " than the one it opened on, because that one's commitment was lost;"
                + " l1_clock_behind: a slot whose commitment was tried again because L1's clock"
                + " had not reached its window yet)",
            "outcome");
    forwarded =
        m.counter(
            CATEGORY,
            "forwarded_total",
            "Requests this node forwarded to the current leader's endpoint, by outcome",
            "outcome");
    rpcRequests =
        m.counter(
            CATEGORY,
            "rpc_requests_total",
            "JSON-RPC requests on the endpoint, by method",
            "method");
    preconfirmSeconds =
        m.histogram(
                CATEGORY,
                "preconfirm_seconds",
                "From a transaction's arrival at the leader to its signed preconfirmation, held"
                    + " by a peer (the receipt)",
                new double[] {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1, 3})
            .labels();
    commitGas =
        m.histogram(
                CATEGORY,
                "commit_gas",
                "Gas used by this node's SequencerInbox.commit transactions",
                new double[] {100e3, 120e3, 140e3, 160e3, 200e3, 300e3, 500e3})
            .labels();
    handoverSeconds =
        m.histogram(
                CATEGORY,
                "handover_seconds",
                "From a missed slot's deadline (slot end + grace) to this node's commitment of the"
                    + " slot as a backup",
                new double[] {0.5, 1, 1.5, 2, 3, 5, 10})
            .labels();
    finalL2Gauge =
        m.gauge(
                CATEGORY,
                "final_l2_block",
                "The highest L2 block whose slot commitment is in an L1 block L1 reports finalized"
                    + " (VITAL checks no output above it)")
            .labels();
    droppedBlocks =
        m.counter(
                CATEGORY,
                "l2_blocks_dropped_total",
                "L2 blocks above the inbox's last committed block dropped after the previous"
                    + " leader's deadline (mined, never committed on L1)")
            .labels();
    escapeRechecks =
        m.counter(
            CATEGORY,
            "escape_rechecks_total",
            "Times this node read the forced-inclusion escape hatch again for the slot it leads"
                + " after an L1 reorg removed a commitment, by outcome (clear; refusing: the hatch"
                + " may open before the slot's commitment lands, or could not be read, so the slot"
                + " took no more transactions; no_open_slot: nothing to read it for)",
            "outcome");
    feedSeals =
        m.counter(
            CATEGORY,
            "l2_feed_seals_total",
            "Slots this node led and sealed with l2-feed on, by how (fed: the L2 node's pool held"
                + " the block's start, handed over while the slot was open; sent_at_seal: it did"
                + " not, because an item fell due or the base moved during the slot or a send"
                + " failed, and the whole block was sent at the seal)",
            "how");
    carriedTxs =
        m.counter(
            CATEGORY,
            "carried_transactions_total",
            "Preconfirmed transactions of slots left without a block on L1 (missed, or their"
                + " commitment removed by an L1 reorg) that this node put into the block of a later"
                + " slot it sealed, by outcome (carried; refused: its sender's nonce or balance no"
                + " longer allows it)",
            "outcome");
    slotChecks =
        m.counter(
            CATEGORY,
            "slots_checked_total",
            "Committed slots this node checked as a follower, by outcome (attested, breach,"
                + " forced_missing, mismatch, l2_unavailable, refused; retracted: a commitment an"
                + " L1 reorg removed)",
            "outcome");
    breachEvidence =
        m.counter(
            CATEGORY,
            "breach_evidence_total",
            "Broken preconfirmations this node found, and its evidence submissions, by outcome"
                + " (seen, slashed, already_used, reverted, failed)",
            "outcome");
    attestationsSent =
        m.counter(
            CATEGORY,
            "attestations_sent_total",
            "Slot attestations offered to peers, by outcome",
            "outcome");
    attestationsReceived =
        m.counter(
            CATEGORY,
            "attestations_received_total",
            "Slot attestations received by this node's aggregator, by outcome",
            "outcome");
    certificatesMade =
        m.counter(CATEGORY, "slot_certificates_total", "Slot certificates this node made").labels();
    rpc = new SquadRpc(this);
    gossip =
        new PreconfirmationGossip(
            this,
            m.counter(
                CATEGORY,
                "gossip_received_total",
                "Preconfirmations received from peers, by outcome (kept; pulled: asked for by"
                    + " this node, for a slot it takes over or carries promises from; or why not:"
                    + " malformed,"
                    + " wrong_rollup, stale, bad_transaction, not_leader, unknown_operator,"
                    + " bad_signature, l1_unavailable)",
                "outcome"),
            m.counter(
                CATEGORY,
                "gossip_sent_total",
                "Preconfirmations this node posted to peers, by outcome (ok, refused, unreachable;"
                    + " skipped: not posted to a peer with 32 posts unanswered)",
                "outcome"));
    proposals =
        new ProposalGossip(
            this,
            m.counter(
                CATEGORY,
                "proposals_received_total",
                "Slot proposals received from peers, by outcome (kept, or why not: malformed,"
                    + " wrong_rollup, stale, unknown_operator, bad_signature, l1_unavailable)",
                "outcome"),
            m.counter(
                CATEGORY,
                "double_proposal_evidence_total",
                "Two different proposals of one operator for one slot seen, and this node's"
                    + " evidence submissions, by outcome (seen, slashed, already_used, reverted,"
                    + " failed)",
                "outcome"));
    // before any duty starts (MACH starts first): a block must not be attested, nor an output
    // judged, as if nobody sequenced the rollup while this duty starts or retries its start
    context.ports().provide(org.avsnode.operator.spi.SequencedFinality.class, this);
  }

  @Override
  public String id() {
    return ID;
  }

  SquadConfig config() {
    return config;
  }

  Running running() {
    return running;
  }

  PreconfirmationGossip gossip() {
    return gossip;
  }

  Labelled<Counter> forwardedCounter() {
    return forwarded;
  }

  Labelled<Counter> rpcCounter() {
    return rpcRequests;
  }

  @Override
  public synchronized void start() throws Exception {
    L1Client l1 = context.requireL1(ID);
    DutySigner signer = context.requireSigner(ID);
    String operator =
        context
            .operator()
            .orElseThrow(() -> new IllegalStateException("squad commits slots: no ECDSA key"))
            .toLowerCase(java.util.Locale.ROOT);
    TransactionSender sender =
        context
            .transactions()
            .orElseThrow(() -> new IllegalStateException("squad commits slots: no L1 sender"));
    L2Rpc l2 = new L2Rpc(config.l2RpcUrl(), config.rpcTimeout());
    long l2ChainId = l2.chainId();
    Eip712Domain domain =
        Eip712Domain.avsNode(l1.chainId(), Numeric.hexStringToByteArray(config.registry()));
    if (!Arrays.equals(domain.separator(), signer.domain().separator())) {
      throw new IllegalStateException(
          "the signer's EIP-712 domain is not the registry's: refusing to sign for another"
              + " deployment");
    }
    SlotScheduleContract schedule = SlotScheduleContract.load(l1.web3j(), config.schedule());
    SlotScheduleContract.Parameters params = schedule.parameters();
    SquadContracts contracts =
        new SquadContracts(
            l1.web3j(),
            config.inbox(),
            config.queue(),
            config.registry(),
            config.operatorSetId(),
            config.slashingCoordinator());
    long grace = contracts.graceSeconds();
    Running r =
        new Running(
            l2,
            l2ChainId,
            contracts,
            schedule,
            params,
            grace,
            signer,
            sender,
            operator,
            new org.avsnode.operator.registry.RegistryReader(
                l1, config.registry(), config.operatorSetId()));
    r.selfIndex = contracts.operatorIndex(operator);
    r.selfIndexReadAt = clock.millis();
    r.certificates =
        new SlotCertificates(
            config.rollupId(),
            slot -> {
              SlotFollower f = r.follower;
              return f == null ? null : f.committedBlock(slot);
            },
            r.registry,
            signer.domain(),
            clock,
            r.scheduler,
            attestationsReceived,
            certificatesMade);
    List<URI> others = new ArrayList<>();
    config
        .peers()
        .forEach(
            (address, url) -> {
              if (!address.equals(operator)) {
                others.add(url);
              }
            });
    r.follower =
        new SlotFollower(
            r,
            config.rollupId(),
            r.registry.epochLength(),
            new MessageSender(
                others,
                SlotCertificates.PATH,
                5,
                config.rpcTimeout(),
                r.scheduler,
                attestationsSent),
            slotChecks,
            breachEvidence);
    if (!routesInstalled) {
      context.routes().post(RPC_PATH, config.maxTxBytes() * 2 + (64 << 10), rpc::handle);
      context.routes().post(PreconfirmationGossip.PATH, 16 << 20, gossip::handle);
      context.routes().get(PreconfirmationGossip.SLOT_PATH, gossip::handleSlot);
      context.routes().post(ProposalGossip.PATH, 64 << 10, proposals::handle);
      context
          .routes()
          .post(
              SlotCertificates.PATH,
              64 << 10,
              req -> certificates().map(c -> c.handleIntake(req)).orElseGet(SquadDuty::stopped));
      context
          .routes()
          .get(
              SlotCertificates.CERTIFICATE_PATH,
              req ->
                  certificates().map(c -> c.handleCertificate(req)).orElseGet(SquadDuty::stopped));
      routesInstalled = true;
    }
    running = r;
    r.scheduler.scheduleWithFixedDelay(
        () -> followQuietly(r), 0, 4 * config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    r.scheduler.scheduleWithFixedDelay(
        () -> tickQuietly(r), 0, config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    if (r.feeder != null) {
      r.feeder.scheduleWithFixedDelay(
          () -> feedQuietly(r), 0, FEED_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }
    r.scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            gossip.flush(r.operator);
          } catch (RuntimeException e) {
            LOG.warn("squad: gossip: {}", e.getMessage());
          }
        },
        GOSSIP_MILLIS,
        GOSSIP_MILLIS,
        TimeUnit.MILLISECONDS);
    LOG.info(
        "squad: sequencing rollup {} (L2 chain {}) in turn, slots of {} s from {}; JSON-RPC at {};"
            + " senders recovered by {}",
        config.rollupId(),
        l2ChainId,
        params.slotSeconds(),
        params.genesisTime(),
        RPC_PATH,
        Preconfirmer.senderRecovery());
  }

  @Override
  public synchronized void stop() {
    Running r = running;
    running = null;
    if (r != null) {
      SlotCertificates c = r.certificates;
      if (c != null) {
        c.close();
      }
      r.scheduler.shutdownNow();
      if (r.feeder != null) {
        r.feeder.shutdownNow();
      }
      try {
        r.scheduler.awaitTermination(10, TimeUnit.SECONDS);
        if (r.feeder != null) {
          r.feeder.awaitTermination(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public Health health() {
    Running r = running;
    if (r == null) {
      return Health.down("not started");
    }
    String p = r.gate != null ? r.gate : shown(r.problem, r.problemAt, clock.millis());
    return p == null ? Health.up() : Health.partial(p);
  }

  /**
   * A slot's trouble as health shows it at {@code now}: for {@value #PROBLEM_SHOWN_MILLIS} ms after
   * it was set, then no longer (it stays in the log, on the status page and in {@code
   * slots_total}).
   */
  static String shown(String problem, long setAt, long now) {
    return problem != null && now - setAt < PROBLEM_SHOWN_MILLIS ? problem : null;
  }

  private java.util.Optional<SlotCertificates> certificates() {
    Running r = running;
    return java.util.Optional.ofNullable(r == null ? null : r.certificates);
  }

  private static org.avsnode.operator.spi.RouteResponse stopped() {
    return org.avsnode.operator.spi.RouteResponse.error(503, "the sequencer is not running");
  }

  /**
   * Holds a preconfirmation for its slot's check (this node's own, or a peer's checked one); one
   * that arrives after the slot's block was checked is checked at once.
   */
  void promise(Running r, StoredPreconfirmation p) {
    r.promised
        .computeIfAbsent(
            p.slot(), k -> java.util.Collections.synchronizedMap(new LinkedHashMap<>()))
        .putIfAbsent(p.txHash(), p);
    SlotFollower f = r.follower;
    if (f != null) {
      f.lateCheck(p);
    }
  }

  /**
   * A slot this node sealed, or began to, and did not commit, for {@code why} (which begins with
   * the slot): the node's trouble (health), logged, counted in {@code slots_total}, and shown on
   * the status page.
   */
  private void failed(Running r, long slot, String outcome, String why) {
    r.trouble(why);
    LOG.error("squad: {}", why);
    lost(r, slot, outcome, why);
  }

  /** A slot lost for {@code why}: counted in {@code slots_total} and shown on the status page. */
  private void lost(Running r, long slot, String outcome, String why) {
    slots.labels(outcome).inc();
    r.publish("slot", "slot " + slot, outcome, null, why, "warn");
  }

  /** The injected faults ({@link SquadFaults#NONE} under {@code operator run}). */
  SquadFaults faults() {
    return faults;
  }

  private void followQuietly(Running r) {
    try {
      seenAt(r, r.l2.latest().hash());
    } catch (RuntimeException | L2RpcException e) {
      LOG.debug("squad: reading the L2 head: {}", e.getMessage());
    }
    try {
      if (!faults.followerBehind()) {
        r.follower.poll();
      }
      r.promised
          .keySet()
          .removeIf(s -> s < r.currentSlot() - 2 * PreconfirmationGossip.RECENT_SLOTS);
      updateFinal(r);
    } catch (RuntimeException | IOException | L2RpcException e) {
      LOG.warn("squad: following the inbox: {}", e.getMessage());
    }
    long retractions = r.follower.retractions();
    if (retractions != r.retractionsSeen) {
      r.retractionsSeen = retractions;
      escapeRecheck(r);
    }
  }

  @Override
  public java.util.OptionalLong finalL2Block(long rollupId) {
    return rollupId == config.rollupId()
        ? java.util.OptionalLong.of(finalL2.get())
        : java.util.OptionalLong.empty();
  }

  @Override
  public java.util.Optional<Boolean> committed(
      long rollupId, long l2BlockNumber, byte[] l2BlockHash, int confirmations) {
    if (rollupId != config.rollupId()) {
      return java.util.Optional.empty();
    }
    if (l2BlockNumber <= finalL2.get()) {
      return java.util.Optional.of(true);
    }
    Running r = running;
    return java.util.Optional.of(
        r != null && r.follower.confirmations(l2BlockHash) >= Math.max(1, confirmations));
  }

  /**
   * At most once a second: the L2 block of the latest commitment logged at or below the L1 block
   * that L1 reports finalized (or, from an L1 without that tag, {@value CommittedSlots#REORG_DEPTH}
   * blocks below its head, the depth this node follows reorgs to). That block and every one below
   * it can no longer be re-sequenced; VITAL judges outputs only up to it ({@link
   * org.avsnode.operator.spi.SequencedFinality}). Never decreases.
   */
  private void updateFinal(Running r) throws IOException, L2RpcException {
    long now = clock.millis();
    if (now - r.finalCheckedAt < 1_000) {
      return;
    }
    r.finalCheckedAt = now;
    java.util.OptionalLong finalized = r.contracts.finalizedBlockNumber();
    r.l1Finalized = finalized.orElse(-1); // also how deep the follower reads L1 again
    long l1Final =
        finalized.isPresent()
            ? finalized.getAsLong()
            : r.contracts.blockNumber() - CommittedSlots.REORG_DEPTH;
    SquadContracts.Commitment c = r.follower.latestLoggedBy(l1Final);
    if (c == null || Arrays.equals(c.blockHash(), r.finalHash)) {
      return;
    }
    L2Rpc.Head block = r.l2.blockByHash(c.blockHash());
    if (block == null) {
      return; // not on the L2 node yet: asked again in a second
    }
    r.finalHash = c.blockHash();
    finalL2Gauge.set(finalL2.accumulateAndGet(block.number(), Math::max));
  }

  // ------------------------------------------------------------------ the slot clock

  /**
   * One feeding step (l2-feed): the open slot's transactions accepted since the last step go to the
   * L2 node's pool, in acceptance order.
   */
  private void feedQuietly(Running r) {
    try {
      OpenSlot o = r.open;
      if (o == null) {
        return;
      }
      int from = r.poolFeed.preconfirmedSent(o.slot());
      if (from < 0) {
        return;
      }
      List<Preconfirmer.Pending> more = r.preconfirmer.acceptedSince(o.slot(), from, FEED_BATCH);
      if (more.isEmpty()) {
        return;
      }
      List<byte[]> raws = new ArrayList<>(more.size());
      for (Preconfirmer.Pending p : more) {
        raws.add(p.rawTx());
      }
      r.poolFeed.feed(o.slot(), from, raws);
    } catch (RuntimeException e) {
      LOG.warn("squad: feeding the L2 node: {}", e.getMessage());
    }
  }

  /**
   * Starts handing {@code slot}'s block to the L2 node while the slot is open (l2-feed): now the
   * forced items due by the time its commitment can land and the {@code carried} transactions, then
   * the preconfirmed ones as they are accepted ({@link #feedQuietly}). Nothing is fed for a slot
   * whose leader is to censor (an injected fault), or when a read or the first send fails: the seal
   * then sends the whole block.
   */
  private void beginFeed(Running r, long slot, L2Rpc.Head base, List<byte[]> carried) {
    if (r.poolFeed == null || faults.censorForced(slot)) {
      return;
    }
    try {
      long[] cl = r.contracts.queueCursorAndLength();
      long sealAt = r.startMillis(slot + 1);
      // the seal's horizon (see buildAndCommit) as it will be at the slot's end, a second more
      long l1AtSeal =
          r.contracts.latestTimestamp() + Math.max(0, (sealAt - clock.millis() + 999) / 1000);
      long horizon = sealHorizon(r, sealAt / 1000, l1AtSeal) + 1;
      List<SquadContracts.Forced> queued =
          r.contracts.forced(cl[0], Math.min(cl[1], cl[0] + MAX_FORCED_PER_SLOT));
      List<byte[]> forced = new ArrayList<>();
      for (SquadContracts.Forced f : queued.subList(0, duePrefix(queued, horizon))) {
        forced.add(f.rawTx());
      }
      if (!r.poolFeed.begin(slot, base.hash(), cl[0], forced, carried)) {
        LOG.warn(
            "squad: slot {}: the L2 node did not take the block's first transactions; the"
                + " seal sends the whole block",
            slot);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "squad: slot {}: not feeding the L2 node during the slot ({}); the seal sends the whole"
              + " block",
          slot,
          e.getMessage());
    }
  }

  /**
   * The latest time (L1 unix seconds) a commitment sealed at {@code nowSeconds}, with L1's latest
   * block at {@code l1Seconds}, can land: forced items due by then go into the block (L1's clock
   * may run ahead of this node's).
   */
  private static long sealHorizon(Running r, long nowSeconds, long l1Seconds) {
    return Math.max(nowSeconds, l1Seconds) + r.params.slotSeconds() + r.graceSeconds;
  }

  /** How many of {@code queued} (in queue order) are due by {@code horizon} (L1 unix seconds). */
  private static int duePrefix(List<SquadContracts.Forced> queued, long horizon) {
    int due = 0;
    while (due < queued.size() && queued.get(due).dueAt() <= horizon) {
      due++; // enqueued in order: the due items are a prefix
    }
    return due;
  }

  private void tickQuietly(Running r) {
    try {
      tick(r);
    } catch (RuntimeException | IOException | L2RpcException e) {
      r.gate = "slot clock: " + e.getMessage();
      LOG.warn("squad: {}", e.getMessage());
    }
  }

  void tick(Running r) throws IOException, L2RpcException {
    long slot = r.currentSlot();
    OpenSlot o = r.open;
    if (o != null && slot > o.slot()) {
      r.open = null;
      List<Preconfirmer.Pending> pending = r.preconfirmer.seal(o.slot());
      if (faults.abandon(o.slot())) {
        LOG.warn("squad: slot {}: not sealed (an injected fault)", o.slot());
        return;
      }
      List<byte[]> raws = new ArrayList<>();
      List<byte[]> hashes = new ArrayList<>();
      for (Preconfirmer.Pending p : pending) {
        raws.add(p.rawTx());
        hashes.add(p.txHash());
      }
      try {
        sleepUntil(faults.sealNotBefore(o.slot()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      sealOnCommitted(r, o, raws, hashes);
    }
    if (r.selfIndex < 0 && clock.millis() - r.selfIndexReadAt > 10_000) {
      r.selfIndexReadAt = clock.millis();
      r.selfIndex = r.contracts.operatorIndex(r.operator);
    }
    if (r.selfIndex < 0) {
      r.gate = "not registered in operator set " + config.operatorSetId() + ": never leads";
      return;
    }
    if (slot < 0) {
      r.gate = null;
      r.trouble(null);
      return;
    }
    int leader = r.leaderOf(slot);
    if (leader == LeaderSchedule.NONE) {
      r.gate = "the schedule of slot " + slot + " is not fixed on L1";
      return;
    }
    // until 2026-12-07 these conditions and "starting" were cleared only when this node next led a
    // slot: a node that had not led one yet reported itself Partial ("starting") for as long
    r.gate = null;
    if (r.open == null) {
      takeOverIfMissed(r, slot);
    }
    if (r.open == null) {
      escapeIfOpen(r, slot);
    }
    if (r.open == null && slot > r.lastOpenedSlot && leader == r.selfIndex) {
      open(r, slot);
    }
    if (slot > r.lastFixCheckSlot) {
      r.lastFixCheckSlot = slot;
      r.preconfirmer.prune(slot - 64);
      if (leader == r.selfIndex) {
        fixEpochIfDue(r, slot);
      }
    }
  }

  /**
   * Seals the slot this node led. Its base was the inbox's last committed block when it opened; if
   * that is no longer so (an L1 reorg removed the base's commitment, or a late backup committed an
   * earlier slot), a block on the old base could never be committed. The slot is then built on the
   * inbox's last committed block instead (the L2 blocks above it dropped), carrying the
   * preconfirmed transactions of the slots in between, which have no block on L1 (they come first,
   * so that the slot's own preconfirmed transactions, which may follow them in nonce, still run).
   * The block is checked to hold every preconfirmed transaction of the slot before anything is
   * signed, as always.
   */
  private void sealOnCommitted(Running r, OpenSlot o, List<byte[]> raws, List<byte[]> hashes) {
    L2Rpc.Head base = o.base();
    List<byte[]> carried = o.carried();
    try {
      byte[] last = r.contracts.lastBlockHash();
      if (o.carriedIfBaseDropped() != null) {
        // opened on a pending block: wait for its fate (committed, or never committable)
        long deadline = r.closesMillis(o.slot(), 0) - PENDING_SEAL_MARGIN_MILLIS;
        while (Arrays.equals(last, base.parentHash())) {
          L2Rpc.Head head = dropUncommitted(r, o.slot(), last, earlierWindowsClosed(r, o.slot()));
          if (head != null) {
            slots.labels("rebased").inc();
            LOG.warn(
                "squad: slot {}: the pending block {} it opened on was never committed: built on"
                    + " L2 block #{} {} instead, carrying that block's {} transaction(s)",
                o.slot(),
                short32(base.hash()),
                head.number(),
                short32(head.hash()),
                o.carriedIfBaseDropped().size());
            buildAndCommit(r, o.slot(), head, o.carriedIfBaseDropped(), raws, hashes, 0);
            return;
          }
          if (clock.millis() >= deadline) {
            lost(
                r,
                o.slot(),
                "unsealed",
                "the pending block it opened on was neither committed nor droppable in time");
            LOG.warn(
                "squad: slot {}: the pending block {} it opened on is neither committed nor"
                    + " droppable in time ({}); not sealed",
                o.slot(),
                short32(base.hash()),
                r.problem);
            return;
          }
          Thread.sleep(PENDING_POLL_MILLIS);
          last = r.contracts.lastBlockHash();
        }
      }
      if (!Arrays.equals(last, base.hash())) {
        L2Rpc.Head head = dropUncommitted(r, o.slot(), last, earlierWindowsClosed(r, o.slot()));
        if (head != null) {
          long lastSlot = r.contracts.lastSlot();
          long after = r.follower.carryAfter(lastSlot);
          pullUnsettled(r, after, o.slot());
          carried = orphaned(r, after, o.slot());
          slots.labels("rebased").inc();
          LOG.warn(
              "squad: slot {}: its base {} is no longer the inbox's last committed block (an L1"
                  + " reorg, or a late commitment of an earlier slot): built on L2 block #{} {}"
                  + " instead, carrying {} preconfirmed transaction(s) of slots without a block",
              o.slot(),
              short32(o.base().hash()),
              head.number(),
              short32(head.hash()),
              carried.size());
          base = head;
        } else {
          // the L2 node holds a block above the committed one that a later rank may still commit
          // (or the head is not above it): a block on the old base could never be committed
          lost(
              r,
              o.slot(),
              "unsealed",
              "its base is no longer the inbox's last committed block, and the L2 node cannot be"
                  + " brought back to it in time");
          LOG.warn(
              "squad: slot {}: its base {} is no longer the inbox's last committed block, and the"
                  + " L2 node cannot be brought back to it now ({}); not sealed",
              o.slot(),
              short32(o.base().hash()),
              r.problem);
          return;
        }
      }
    } catch (IOException | L2RpcException | RuntimeException e) {
      // built on the slot's own base: its commitment reverts if that base was lost
      LOG.warn("squad: slot {}: cannot read the inbox's last block: {}", o.slot(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // stopping
      return;
    }
    buildAndCommit(r, o.slot(), base, carried, raws, hashes, 0);
  }

  /**
   * Backup {@code k} of a recent slot whose earlier ranks produced nothing takes the slot over in
   * its own window of the inbox ({@code [slotEnd + k·grace, slotEnd + (k+1)·grace)}), from a margin
   * after it opens (L1 time has whole seconds) until half the window has gone ({@link
   * #mayStartTakeover}): it builds the slot's block from the due forced items and every
   * preconfirmation the slot's leader gossiped (held here), so the leader's promises are kept, and
   * commits it. A backup preconfirms nothing itself for a slot it takes over: the leader could
   * still commit it.
   */
  private void takeOverIfMissed(Running r, long current) throws IOException, L2RpcException {
    long now = clock.millis();
    long windowSlots =
        ((r.params.backups() + 1L) * r.graceSeconds + r.params.slotSeconds() - 1)
                / r.params.slotSeconds()
            + 1;
    for (long s = Math.max(0, current - windowSlots); s < current; s++) {
      if (s <= r.lastTakeoverSlot) {
        continue;
      }
      int rank = r.selfRankOf(s);
      if (rank < 1 || faults.abandon(s)) {
        continue;
      }
      if (!mayStartTakeover(now, r.opensMillis(s, rank), r.closesMillis(s, rank))) {
        continue;
      }
      r.lastTakeoverSlot = s;
      long lastCommitted = r.contracts.lastSlot();
      if (lastCommitted >= s) {
        continue; // an earlier rank (or a later slot) committed
      }
      // a block above the last committed one can only be an earlier rank's (of this slot or one
      // before), whose windows close before this one opens, unless this key proposed for the slot
      // (a process of this node before a restart may have mined it, and its commitment may land)
      Bound closed =
          r.signer.mayHaveProposed(config.rollupId(), s)
              ? Bound.NONE
              : earlierWindowsClosed(r, s, rank);
      L2Rpc.Head head = dropUncommitted(r, s, r.contracts.lastBlockHash(), closed);
      if (head == null) {
        // tried again at the next tick while this rank's window is open (an earlier rank's block
        // may still be committed until its window closes on L1)
        r.lastTakeoverSlot = s - 1;
        if (r.problem == null || !r.problem.startsWith("slot " + s + ":")) {
          r.trouble(
              "slot " + s + ": cannot take over, the L2 head is not the last committed block");
        }
        LOG.debug("squad: {}", r.problem);
        return;
      }
      // what the leaders of this slot and of the slots before it without a block gossiped and this
      // node missed, from the peers that hold it
      long after = r.follower.carryAfter(lastCommitted);
      int pulled = pullUnsettled(r, after, s + 1);
      List<byte[]> raws = new ArrayList<>();
      List<byte[]> hashes = new ArrayList<>();
      for (StoredPreconfirmation p : r.promisedInOrder(s)) {
        byte[] raw = r.held.get(p.txHash());
        if (raw != null) {
          raws.add(raw);
          hashes.add(Numeric.hexStringToByteArray(p.txHash()));
        }
      }
      if (pulled > 0) {
        // pulled ones come last in arrival order: each sender's transactions in nonce order again
        nonceOrdered(raws, hashes, r.l2ChainId);
      }
      LOG.warn(
          "squad: slot {} missed by its earlier ranks: taking it over as backup {} with {} held"
              + " preconfirmed transaction(s){}",
          s,
          rank,
          raws.size(),
          pulled > 0 ? " (" + pulled + " of them asked for from peers)" : "");
      buildAndCommit(r, s, head, orphaned(r, after, s), raws, hashes, rank);
      return;
    }
  }

  /**
   * The escape hatch, driven by the node: when the queue's oldest due item has waited its escape
   * delay (every leader left it out), the node commits the current slot with exactly the due items
   * ({@code commitForced}), so the chain never halts on censorship. Checked every second; nodes
   * stagger by index (1 s apart), and each checks again before it acts.
   */
  private void escapeIfOpen(Running r, long current) throws IOException, L2RpcException {
    long now = clock.millis();
    if (now - r.lastEscapeCheck >= 1_000) {
      // the queue, once a second; while the hatch is open the rest is checked every tick
      r.lastEscapeCheck = now;
      // on L1's clock, which the commitment will be mined at (an idle L1 may show an old block)
      long l1Now = Math.max(now / 1000, r.contracts.latestTimestamp());
      long[] cl = r.contracts.queueCursorAndLength();
      List<SquadContracts.Forced> waiting =
          cl[0] >= cl[1]
              ? List.of()
              : r.contracts.forced(cl[0], Math.min(cl[1], cl[0] + MAX_FORCED_PER_SLOT));
      // open once the oldest item has been due for the escape delay (a second of margin)
      if (waiting.isEmpty() || waiting.get(0).dueAt() + r.contracts.escapeAfter() + 1 > l1Now) {
        r.escapeSeenAt = -1;
        r.escapeItems = null;
        return;
      }
      if (r.escapeSeenAt < 0) {
        r.escapeSeenAt = now;
      }
      // every item due by the time the commitment lands (a few seconds of margin)
      int n = 0;
      while (n < waiting.size() && waiting.get(n).dueAt() <= l1Now + 2) {
        n++;
      }
      r.escapeCursor = cl[0];
      r.escapeItems = List.copyOf(waiting.subList(0, n));
    }
    List<SquadContracts.Forced> items = r.escapeItems;
    if (items == null || now < r.escapeSeenAt + 1_000L * Math.floorMod(r.selfIndex, 8)) {
      return;
    }
    long cursor = r.escapeCursor;
    long lastCommitted = r.contracts.lastSlot();
    if (lastCommitted >= current
        || !r.promised(current).isEmpty()
        || !previousSettled(r, current, lastCommitted)) {
      // (a slot whose leader has preconfirmed is left to it: it may still include the items)
      return;
    }
    // blocks above the last committed one can no longer be committed (the gate's rule)
    L2Rpc.Head head = dropUncommitted(r, current);
    if (head == null) {
      return;
    }
    if (r.contracts.queueCursorAndLength()[0] != cursor) {
      r.escapeItems = null; // included meanwhile
      return;
    }
    long due = cursor + items.size();
    r.escapeItems = null; // one attempt; the queue is read again in a second
    List<byte[]> raws = new ArrayList<>();
    for (SquadContracts.Forced f : items) {
      raws.add(f.rawTx());
    }
    if (r.poolFeed != null) {
      r.poolFeed.clear(); // nothing of a slot's own may ride in the escape block
    }
    L2Rpc.Head block =
        l2Lock.holding(
            () -> {
              r.l2.sendRawTransactions(raws);
              r.l2.mine();
              return r.l2.latest();
            });
    List<String> want = new ArrayList<>();
    for (SquadContracts.Forced f : items) {
      want.add(Numeric.toHexString(f.txHash()));
    }
    List<String> got = new ArrayList<>();
    for (byte[] h : block.txHashes()) {
      got.add(Numeric.toHexString(h));
    }
    if (!Arrays.equals(block.parentHash(), head.hash()) || !got.equals(want)) {
      lost(
          r,
          current,
          "escape_failed",
          "the escape hatch's L2 block does not hold exactly the " + items.size() + " due item(s)");
      LOG.error(
          "squad: escape hatch: the L2 block does not hold exactly the {} due item(s); not"
              + " committed",
          items.size());
      dropOwn(r, current, block);
      return;
    }
    TxReceipt receipt =
        r.sender.sendAndWait(
            TxRequest.call(
                r.contracts.inboxAddress(),
                SquadContracts.commitForcedCall(head.hash(), block.hash(), due)));
    String what =
        "every leader left forced items out: L2 #"
            + block.number()
            + " with the "
            + items.size()
            + " due item(s)";
    if (receipt.success()) {
      slots.labels("escape").inc();
      r.publish("slot", "slot " + current, "committed by the escape hatch", null, what, "warn");
    } else {
      lost(r, current, "escape_failed", what + "; reverted in " + receipt.transactionHash());
      dropOwn(r, current, block);
    }
    LOG.warn(
        "squad: ESCAPE HATCH: every leader left forced items out; committed slot {} with the {}"
            + " due item(s) as L2 block #{} {}{}",
        current,
        items.size(),
        block.number(),
        short32(block.hash()),
        receipt.success() ? "" : " (reverted: " + receipt.transactionHash() + ")");
  }

  /**
   * The L2 head once it is the inbox's last committed block, dropping blocks above it once they can
   * no longer be committed (see {@link #dropAbove}); null when it is not reachable yet.
   */
  private L2Rpc.Head dropUncommitted(Running r, long slot) throws IOException, L2RpcException {
    return dropUncommitted(r, slot, r.contracts.lastBlockHash(), Bound.NONE);
  }

  /**
   * {@link #dropUncommitted(Running, long)} with the inbox's last committed block already read, and
   * a {@link Bound} from which a block above it can no longer be committed ({@link Bound#NONE} when
   * none is known).
   */
  private L2Rpc.Head dropUncommitted(Running r, long slot, byte[] last, Bound bound)
      throws L2RpcException, IOException {
    // read, measure and roll back as one step: two nodes sharing an L2 node (the devnet, the
    // tests) must not both drop the same block, and so one more
    return l2Lock.holding(() -> dropAbove(r, slot, last, bound));
  }

  /**
   * When a block above the inbox's last committed one can no longer be committed, besides the old
   * rule of {@link #dropAfter}: once L1's time has reached {@code closedMillis}, for a block this
   * node first saw before {@code seenBeforeMillis}. Before that moment no rank other than those
   * whose windows close by {@code closedMillis} can have mined it (a second is allowed for another
   * node's clock to run ahead of this one's); it does not matter how late the block is looked at.
   *
   * @param closedMillis the L1 time (unix millis) from which every window of those ranks is closed
   * @param seenBeforeMillis this node's time (unix millis) before which only those ranks can have
   *     mined a block above the last committed one
   */
  record Bound(long closedMillis, long seenBeforeMillis) {
    /** No bound: only the old rule. */
    static final Bound NONE = new Bound(Long.MAX_VALUE, Long.MIN_VALUE);

    /** Whether a block first seen at {@code seenMillis} can no longer be committed at L1 time. */
    boolean closed(long l1NowMillis, long seenMillis) {
      return l1NowMillis >= closedMillis && seenMillis < seenBeforeMillis;
    }
  }

  /**
   * For the leader of {@code slot}: a block above the last committed one that is not an
   * escape-hatch block ({@link #mayBeEscapeBlock}) and was mined before rank 1 of {@code slot} may
   * take it over or the leader of {@code slot + 1} may seal (with a grace longer than a slot, that
   * comes first) can only be from a rank of an earlier slot: {@code slot - 1}'s, up to its last
   * drawn rank, or {@code slot - 2}'s, whose windows close later than those of the slots before it.
   * Once L1's time has passed the close of all of them, it can never be committed.
   */
  private Bound earlierWindowsClosed(Running r, long slot) throws IOException {
    return earlierWindowsClosed(r, slot, 0);
  }

  /**
   * {@link #earlierWindowsClosed(Running, long)} for rank {@code rank} of {@code slot}: the windows
   * of the slot's ranks before it count too, and the block must have been mined before rank {@code
   * rank + 1} may take the slot over (or the next slot's leader may seal). A block this rank itself
   * mined is the caller's to rule out ({@link DutySigner#mayHaveProposed}).
   */
  private Bound earlierWindowsClosed(Running r, long slot, int rank) throws IOException {
    return slot < 1
        ? Bound.NONE
        : earlierWindowsClosed(
            r.startMillis(slot),
            r.params.slotSeconds() * 1000,
            r.graceSeconds * 1000,
            rank,
            r.lastRank(slot - 1),
            slot < 2 ? -1 : r.params.backups());
  }

  /**
   * {@link #earlierWindowsClosed(Running, long, int)} for a slot starting at {@code start}: its
   * ranks before {@code rank}, the ranks of the slot before it up to {@code lastRankBefore}, and of
   * the slot before that up to {@code backupsTwoBefore} (-1: no such slot).
   */
  static Bound earlierWindowsClosed(
      long start,
      long slotMillis,
      long graceMillis,
      int rank,
      int lastRankBefore,
      int backupsTwoBefore) {
    long end = start + slotMillis;
    // the next rank of this slot; the next slot's seal
    long othersMayMine = Math.min(end + (rank + 1L) * graceMillis, end + slotMillis);
    // a rank k of a slot ending at e has its window close at e + (k + 1) * grace
    long closed = start + (lastRankBefore + 1L) * graceMillis;
    if (rank > 0) {
      closed = Math.max(closed, end + rank * graceMillis);
    }
    if (backupsTwoBefore >= 0) {
      closed = Math.max(closed, start - slotMillis + (backupsTwoBefore + 1L) * graceMillis);
    }
    return new Bound(closed, othersMayMine - 1_000);
  }

  /**
   * Whether {@code block} could be an escape-hatch block ({@code commitForced}, which commits the
   * current slot at any time while the hatch is open): it holds exactly the next forced items of
   * the queue, and at least one.
   */
  private static boolean mayBeEscapeBlock(Running r, L2Rpc.Head block) throws IOException {
    return mayBeEscapeBlock(block, leadingForcedItems(r, block));
  }

  /** {@link #mayBeEscapeBlock(Running, L2Rpc.Head)} given its {@link #leadingForcedItems}. */
  private static boolean mayBeEscapeBlock(L2Rpc.Head block, int leadingForced) {
    return !block.txHashes().isEmpty() && leadingForced == block.txHashes().size();
  }

  /**
   * How many of {@code block}'s first transactions are the forced-inclusion queue's next items, in
   * order (a block puts its due forced items first; at most {@value #MAX_FORCED_PER_SLOT}).
   */
  private static int leadingForcedItems(Running r, L2Rpc.Head block) throws IOException {
    List<byte[]> txs = block.txHashes();
    if (txs.isEmpty()) {
      return 0;
    }
    long[] cl = r.contracts.queueCursorAndLength();
    List<SquadContracts.Forced> next =
        r.contracts.forced(
            cl[0], Math.min(cl[1], cl[0] + Math.min(txs.size(), MAX_FORCED_PER_SLOT)));
    int lead = 0;
    while (lead < next.size() && Arrays.equals(next.get(lead).txHash(), txs.get(lead))) {
      lead++;
    }
    return lead;
  }

  /**
   * Drops the L2 blocks above the inbox's last committed block {@code last}, but only once the
   * lowest of them can no longer be committed: only it can be committed next (the others build on
   * it), and only by the rank that mined it, before its window closes on L1. Dropping it earlier
   * would let that rank commit a block the L2 node no longer holds, and the chain could never go
   * on. Every rank seals inside its own window, which closes at most {@code grace} seconds after
   * the seal (a leader seals once its slot has ended, a backup once its window has opened), and the
   * block was sealed before this node first saw it: it is dropped once L1's time reaches {@link
   * #dropAfter} of that moment. L1's time is its latest block's, or the wall clock less {@value
   * #L1_LAG_MILLIS} ms when that block is older (an L1 that mines only on demand, or after a
   * reorg).
   */
  private L2Rpc.Head dropAbove(Running r, long slot, byte[] last, Bound bound)
      throws L2RpcException, IOException {
    L2Rpc.Head head = r.l2.latest();
    if (!Arrays.equals(head.hash(), last)) {
      L2Rpc.Head lowest = lowestAbove(r, head, last);
      if (lowest != null) {
        int depth = (int) (head.number() - lowest.number() + 1);
        long seen = seenAt(r, lowest.hash());
        long until = dropAfter(seen, r.graceSeconds);
        long l1Now = l1NowMillis(r);
        if (l1Now < until && bound.closed(l1Now, seen) && !mayBeEscapeBlock(r, lowest)) {
          until = l1Now; // every window that could commit it has closed on L1
        }
        if (l1Now < until) {
          r.trouble(
              "slot "
                  + slot
                  + ": L2 block #"
                  + lowest.number()
                  + " above the last committed one may still be committed (until L1 time "
                  + (until + 999) / 1000
                  + "); not dropped yet");
          return null;
        }
        if (!Arrays.equals(r.contracts.lastBlockHash(), last)) {
          return null; // committed meanwhile: the caller reads the inbox again
        }
        r.l2.rollback(depth);
        droppedBlocks.inc(depth);
        LOG.warn(
            "squad: slot {}: dropped {} L2 block(s) above the last committed block {} (never"
                + " committed on L1)",
            slot,
            depth,
            short32(last));
        head = r.l2.latest();
      }
    }
    return Arrays.equals(head.hash(), last) ? head : null;
  }

  /**
   * The L1 time (unix millis) from which an L2 block first seen by this node at {@code seenMillis}
   * can no longer be committed: it was sealed by then, the window of the rank that sealed it closes
   * at most {@code grace} seconds after the seal, and a second is allowed for the sealing node's
   * clock to run ahead of this one's.
   */
  static long dropAfter(long seenMillis, long graceSeconds) {
    return seenMillis + graceSeconds * 1000 + 1000;
  }

  /**
   * L1's time (unix millis) at the earliest, for a transaction sent now: its latest block's, or the
   * wall clock less {@value #L1_LAG_MILLIS} ms when that block is older.
   */
  private long l1NowMillis(Running r) throws IOException {
    return Math.max(r.contracts.latestTimestamp() * 1000, clock.millis() - L1_LAG_MILLIS);
  }

  /** When this node first saw the L2 block {@code hash} (now, if it had not). */
  private long seenAt(Running r, byte[] hash) {
    return r.headSeen.computeIfAbsent(Numeric.toHexString(hash), h -> clock.millis());
  }

  /**
   * The sync gate, then the slot is open for preconfirmations. The slot builds on the inbox's last
   * committed block, and only once the previous slot is settled: committed, or every drawn rank's
   * window to commit it has closed (its end plus (last rank + 1) × grace: a backup's takeover comes
   * first), or, as a last resort, {@value #LAST_RESORT_MILLIS} ms before this slot's end, so that a
   * grace too long for the slot never stalls the chain (should a late backup commit the previous
   * slot after all, this slot's block conflicts and is not committed). Blocks the L2 node holds
   * above the last committed one were never accepted by L1; they are dropped ({@code
   * anvil_rollback} on the devnet's L2 node), so the chain never stalls behind a rank that mined
   * and did not commit.
   */
  private void open(Running r, long slot) throws IOException, L2RpcException {
    if (faults.skipLead(slot)) {
      r.lastOpenedSlot = slot;
      LOG.warn("squad: slot {}: not led (an injected fault)", slot);
      return;
    }
    if (clock.millis() >= r.startMillis(slot + 1)) {
      return; // the slot ended while this tick was busy (a slow L1): its backups' turn now
    }
    long last = r.contracts.lastSlot();
    if (last >= slot) {
      r.lastOpenedSlot = slot; // taken already (the escape hatch): nothing to lead
      return;
    }
    if (!previousSettled(r, slot, last)) {
      r.trouble("slot " + slot + ": waiting for slot " + (slot - 1) + " to be committed");
      return;
    }
    byte[] lastHash = r.contracts.lastBlockHash();
    L2Rpc.Head head = dropUncommitted(r, slot, lastHash, earlierWindowsClosed(r, slot));
    if (head == null) {
      L2Rpc.Head pending = r.l2.latest();
      if (Arrays.equals(pending.parentHash(), lastHash)) {
        int forcedLead = leadingForcedItems(r, pending);
        if (!mayBeEscapeBlock(pending, forcedLead)) {
          openOnPending(r, slot, pending, forcedLead);
          return;
        }
      }
      // retried on the next tick
      r.trouble(
          "slot " + slot + ": waiting for the L2 head to be the inbox's last committed block");
      return;
    }
    // read before the slot counts as opened: a failed read is tried again at the next tick
    String noPreconfirmations = escapeExposure(r, slot);
    r.lastOpenedSlot = slot;
    SlotLedger ledger = new SlotLedger(slot, r.l2, head);
    long after = r.follower.carryAfter(last);
    pullUnsettled(r, after, slot);
    List<byte[]> carried = new ArrayList<>();
    for (byte[] raw : orphaned(r, after, slot)) {
      java.util.Optional<Preconfirmer.Tx> tx = Preconfirmer.decode(raw, r.l2ChainId);
      String why = tx.isEmpty() ? "it does not decode" : ledger.refuse(slot, tx.get());
      if (why == null) {
        carried.add(raw);
      } else {
        carriedTxs.labels("refused").inc();
        LOG.warn(
            "squad: slot {}: not carrying preconfirmed transaction {} of an earlier slot without a"
                + " block: {}",
            slot,
            Numeric.toHexString(org.web3j.crypto.Hash.sha3(raw)),
            why);
      }
    }
    // carried transactions take places of the slot's max-tx-per-slot
    r.preconfirmer.reserve(slot, carried.size());
    List<byte[]> carriedNow = List.copyOf(carried);
    beginFeed(r, slot, head, carriedNow);
    r.open = new OpenSlot(slot, ledger, head, carriedNow, null, noPreconfirmations);
    r.trouble(null);
    LOG.info(
        "squad: leading slot {} on L2 block #{} {}{}",
        slot,
        head.number(),
        short32(head.hash()),
        carried.isEmpty()
            ? ""
            : ", carrying "
                + carried.size()
                + " preconfirmed transaction(s) of earlier slots without a block on L1");
  }

  /**
   * Opens {@code slot} on {@code pending}, a block directly above the inbox's last committed one
   * whose first {@code forcedLead} transactions are forced items ({@link #leadingForcedItems}) that
   * an earlier slot's rank mined and may still commit (its window is open): the previous slot is
   * settled by the rules of {@link #open}, so this slot may not wait any longer, and dropping the
   * block would leave the inbox naming a block the L2 node no longer holds should its commitment
   * land. Until 2026-12-06 the leader did not open at all then, and a late takeover cascaded: the
   * next slot was missed too, its backup late in turn (DevnetChaosIT). Preconfirmations are
   * admitted against {@code pending}'s state. At the seal ({@link #sealOnCommitted}), either {@code
   * pending} was committed and the slot's block builds on it, or it never can be and is dropped,
   * and the slot's block carries its transactions first (read now, while the L2 node holds them),
   * so every preconfirmation admitted against its state still runs in the same order.
   */
  private void openOnPending(Running r, long slot, L2Rpc.Head pending, int forcedLead)
      throws L2RpcException, IOException {
    // its first forcedLead transactions are the queue's next items, which the slot's own block
    // includes as due forced items anyway
    List<byte[]> hashes = pending.txHashes().subList(forcedLead, pending.txHashes().size());
    List<byte[]> raws = new ArrayList<>();
    List<byte[]> unknown = new ArrayList<>();
    for (byte[] h : hashes) {
      byte[] raw = r.held.get(Numeric.toHexString(h));
      raws.add(raw);
      if (raw == null) {
        unknown.add(h);
      }
    }
    if (!unknown.isEmpty()) {
      java.util.Iterator<byte[]> read = r.l2.rawTransactions(unknown).iterator();
      for (int i = 0; i < raws.size(); i++) {
        if (raws.get(i) == null) {
          raws.set(i, read.next());
        }
      }
    }
    List<byte[]> ifDropped = new ArrayList<>();
    for (int i = 0; i < raws.size(); i++) {
      if (raws.get(i) == null) {
        LOG.warn(
            "squad: slot {}: transaction {} of the pending L2 block #{} cannot be read; it is not"
                + " carried should that block be dropped",
            slot,
            Numeric.toHexString(hashes.get(i)),
            pending.number());
      } else {
        ifDropped.add(raws.get(i));
      }
    }
    String noPreconfirmations = escapeExposure(r, slot);
    r.lastOpenedSlot = slot;
    r.preconfirmer.reserve(slot, ifDropped.size());
    if (forcedLead == 0) {
      // built on pending as long as that block is committed; with its own forced items it is
      // left to the seal
      beginFeed(r, slot, pending, List.of());
    }
    r.open =
        new OpenSlot(
            slot,
            new SlotLedger(slot, r.l2, pending),
            pending,
            List.of(),
            List.copyOf(ifDropped),
            noPreconfirmations);
    r.trouble(null);
    slots.labels("opened_on_pending").inc();
    LOG.warn(
        "squad: leading slot {} on L2 block #{} {}, which an earlier slot's rank may still commit"
            + " on L1 (the slot carries its {} transaction(s) should it never be)",
        slot,
        pending.number(),
        short32(pending.hash()),
        ifDropped.size());
  }

  /**
   * Puts each sender's transactions in nonce order, in place, keeping the places the sender's
   * transactions take in the list (so the interleaving of senders stays as it was); an entry that
   * does not decode keeps its place. Both lists are permuted alike.
   */
  static void nonceOrdered(List<byte[]> raws, List<byte[]> hashes, long chainId) {
    Map<String, List<Integer>> placesBySender = new LinkedHashMap<>();
    List<java.math.BigInteger> nonces = new ArrayList<>();
    for (int i = 0; i < raws.size(); i++) {
      java.util.Optional<Preconfirmer.Tx> tx = Preconfirmer.decode(raws.get(i), chainId);
      nonces.add(tx.map(Preconfirmer.Tx::nonce).orElse(null));
      if (tx.isPresent()) {
        placesBySender.computeIfAbsent(tx.get().sender(), k -> new ArrayList<>()).add(i);
      }
    }
    List<byte[]> raw0 = new ArrayList<>(raws);
    List<byte[]> hash0 = new ArrayList<>(hashes);
    for (List<Integer> places : placesBySender.values()) {
      List<Integer> byNonce = new ArrayList<>(places);
      byNonce.sort(java.util.Comparator.comparing(nonces::get));
      for (int k = 0; k < places.size(); k++) {
        raws.set(places.get(k), raw0.get(byNonce.get(k)));
        hashes.set(places.get(k), hash0.get(byNonce.get(k)));
      }
    }
  }

  /**
   * The preconfirmed transactions this node holds for the slots after {@code carryAfter} (the
   * inbox's last committed one; after escape-hatch commitments, whose blocks carry nothing, the
   * last one before them: {@link SlotFollower#carryAfter}, which the caller reads once for this and
   * {@link #pullUnsettled}, as it may read L1) and before {@code slot} (see {@link #pullUnsettled}
   * for the ones it missed), in slot and arrival order, each sender's in nonce order. Those slots
   * have no block on L1 that holds these transactions, and the ones without a block never will once
   * {@code slot} is committed (the inbox takes slots in order): their leader missed them, or an L1
   * reorg removed their commitments and the L2 blocks built on them were dropped. Their
   * transactions were valid on the chain they were promised on; the block of {@code slot} takes
   * them first, so that a promise whose block was lost is still kept where it can be, and so that
   * the next transactions of the same senders (which follow them in nonce) can run. Their
   * preconfirmations name their own slots, which have no block: nobody broke them (DESIGN.md §4).
   */
  private static List<byte[]> orphaned(Running r, long carryAfter, long slot) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    long from = Math.max(carryAfter + 1, slot - ORPHAN_SLOTS);
    for (long t = from; t < slot; t++) {
      for (StoredPreconfirmation p : r.promisedInOrder(t)) {
        byte[] raw = r.held.get(p.txHash());
        if (raw != null) {
          out.putIfAbsent(p.txHash(), raw);
        }
      }
    }
    List<byte[]> raws = new ArrayList<>(out.values());
    List<byte[]> hashes = new ArrayList<>();
    for (String h : out.keySet()) {
      hashes.add(Numeric.hexStringToByteArray(h));
    }
    // ones asked for from peers came last in arrival order: each sender's in nonce order again
    nonceOrdered(raws, hashes, r.l2ChainId);
    return raws;
  }

  /**
   * Asks the peers for the preconfirmations they hold for the slots after {@code carryAfter} (as
   * {@link #orphaned}) and before {@code until} (at most the {@value #ORPHAN_SLOTS} before it),
   * which have no block on L1: this node may have missed their leaders' gossip (it was restarting
   * while it was posted), and the promises it does not hold it cannot keep. Nothing is asked when
   * there are no such slots (the usual case: the slot before was committed). The number of
   * preconfirmations this node did not hold.
   */
  private int pullUnsettled(Running r, long carryAfter, long until) {
    long from = Math.max(carryAfter + 1, until - ORPHAN_SLOTS);
    if (from >= until) {
      return 0;
    }
    List<Long> slots = java.util.stream.LongStream.range(from, until).boxed().toList();
    int pulled = gossip.pull(r, slots, PULL_WAIT, r.operator);
    if (pulled > 0) {
      LOG.info(
          "squad: {} preconfirmation(s) of slots {} to {} asked for from peers (this node did not"
              + " hold them)",
          pulled,
          from,
          until - 1);
    }
    return pulled;
  }

  /** Whether the slot before {@code slot} is settled (see {@link #open}). */
  private boolean previousSettled(Running r, long slot, long lastCommitted) throws IOException {
    return slot == 0
        || lastCommitted >= slot - 1
        || clock.millis()
            >= Math.min(
                r.closesMillis(slot - 1, r.lastRank(slot - 1)),
                r.startMillis(slot + 1) - LAST_RESORT_MILLIS);
  }

  /**
   * The block of {@code head}'s chain directly above {@code ancestor} ({@code head} itself when it
   * is the child), or null when {@code ancestor} is not among the 64 blocks below {@code head}.
   */
  private static L2Rpc.Head lowestAbove(Running r, L2Rpc.Head head, byte[] ancestor)
      throws L2RpcException {
    L2Rpc.Head above = head;
    for (int d = 1; d <= 64 && head.number() - d >= 0; d++) {
      L2Rpc.Head b = r.l2.block(head.number() - d);
      if (b == null) {
        return null;
      }
      if (Arrays.equals(b.hash(), ancestor)) {
        return above;
      }
      above = b;
    }
    return null;
  }

  /**
   * Seals a slot: the due forced items, then the preconfirmed transactions in order, into one L2
   * block on {@code base}; checked, proposed through slashing protection and committed as rank
   * {@code rank}.
   */
  private void buildAndCommit(
      Running r,
      long slot,
      L2Rpc.Head base,
      List<byte[]> carried,
      List<byte[]> preRaws,
      List<byte[]> preHashes,
      int rank) {
    L2Rpc.Head mined = null;
    try {
      long[] cl = r.contracts.queueCursorAndLength();
      long cursor = cl[0];
      // every item due by the time the commitment can land (on L1's clock, which may run ahead)
      long horizon = sealHorizon(r, clock.millis() / 1000, r.contracts.latestTimestamp());
      List<SquadContracts.Forced> queued =
          r.contracts.forced(cursor, Math.min(cl[1], cursor + MAX_FORCED_PER_SLOT));
      int due = duePrefix(queued, horizon);
      boolean censor = faults.censorForced(slot) && due > 0;
      // what the L2 node's pool holds of this block already (l2-feed), if it is this block's start
      PoolFeed.Fed fed = null;
      if (r.poolFeed != null) {
        if (censor) {
          r.poolFeed.clear();
        } else {
          // the feed read at most as many items from the same cursor, and the queue only grows
          fed = r.poolFeed.finish(slot, base.hash(), cursor, due, carried, preRaws.size());
          if (rank == 0) {
            feedSeals.labels(fed != null ? "fed" : "sent_at_seal").inc();
          }
        }
      }
      // the feed may have sent more items than are due now (it looked ahead to the slot's end):
      // they are in the block, and consumed
      int included = fed != null ? fed.forcedSent() : due;
      List<SquadContracts.Forced> forced = queued.subList(0, included);
      if (censor) {
        LOG.warn("squad: slot {}: leaving out {} due forced item(s) (injected fault)", slot, due);
        forced = List.of();
      }
      long upto = cursor + forced.size();
      List<byte[]> raws = new ArrayList<>();
      for (SquadContracts.Forced f : forced) {
        raws.add(f.rawTx());
      }
      raws.addAll(carried);
      carriedTxs.labels("carried").inc(carried.size());
      raws.addAll(preRaws);
      // in order: forced items first, then the carried and the preconfirmed transactions; what is
      // not in the pool yet is sent and the block mined as one step, so that the block read back is
      // this one (nodes sharing an L2 node take turns)
      List<String> errors = new ArrayList<>();
      List<byte[]> toSend =
          fed == null
              ? raws
              : raws.subList(raws.size() - preRaws.size() + fed.preconfirmedSent(), raws.size());
      if (fed != null) {
        errors.addAll(fed.errors());
      }
      L2Rpc.Head block =
          l2Lock.holding(
              () -> {
                errors.addAll(r.l2.sendRawTransactions(toSend));
                r.l2.mine();
                if (r.poolFeed != null) {
                  r.poolFeed.mined();
                }
                return r.l2.latest();
              });
      for (int k = 0; k < errors.size(); k++) {
        if (errors.get(k) == null) {
          continue;
        }
        if (k < forced.size()) {
          LOG.warn(
              "squad: slot {}: forced item {} refused by the L2 node ({}); its place in the queue"
                  + " is consumed",
              slot,
              forced.get(k).index(),
              errors.get(k));
        } else if (k < forced.size() + carried.size()) {
          LOG.warn(
              "squad: slot {}: the L2 node refused carried transaction {} of an earlier slot: {}",
              slot,
              Numeric.toHexString(org.web3j.crypto.Hash.sha3(carried.get(k - forced.size()))),
              errors.get(k));
        } else {
          LOG.error(
              "squad: slot {}: the L2 node refused preconfirmed transaction {}: {}",
              slot,
              Numeric.toHexString(preHashes.get(k - forced.size() - carried.size())),
              errors.get(k));
        }
      }
      mined = block;
      if (!Arrays.equals(block.parentHash(), base.hash())) {
        failed(
            r,
            slot,
            "l2_conflict",
            "slot " + slot + ": the L2 node's new block is not on the slot's base");
        dropOwn(r, slot, block);
        return;
      }
      java.util.Set<String> inBlock = new java.util.HashSet<>();
      for (byte[] h : block.txHashes()) {
        inBlock.add(Numeric.toHexString(h));
      }
      if (fed != null) {
        // the pool was filled over the slot: the block must hold nothing this node did not send
        java.util.Set<String> sent = new java.util.HashSet<>();
        for (SquadContracts.Forced f : forced) {
          sent.add(Numeric.toHexString(f.txHash()));
        }
        for (byte[] raw : carried) {
          sent.add(Numeric.toHexString(org.web3j.crypto.Hash.sha3(raw)));
        }
        for (byte[] h : preHashes) {
          sent.add(Numeric.toHexString(h));
        }
        if (!sent.containsAll(inBlock)) {
          failed(
              r,
              slot,
              "l2_conflict",
              "slot "
                  + slot
                  + ": the L2 node's new block holds transactions this node did not send");
          dropOwn(r, slot, block);
          return;
        }
      }
      List<String> missing = new ArrayList<>();
      for (byte[] h : preHashes) {
        if (!inBlock.contains(Numeric.toHexString(h))) {
          missing.add(Numeric.toHexString(h));
        }
      }
      if (!missing.isEmpty()) {
        failed(r, slot, "incomplete", "slot " + slot + ": block lacks preconfirmed " + missing);
        dropOwn(r, slot, block);
        return;
      }
      byte[] txListHash = txListHash(block.txHashes());
      SlotProposal proposal =
          new SlotProposal(config.rollupId(), slot, base.hash(), block.hash(), txListHash);
      SigningResult signed = r.signer.sign(proposal, block.txHashes());
      if (!signed.isSigned()) {
        failed(
            r,
            slot,
            "proposal_refused",
            "slot " + slot + ": proposal refused: " + signed.reason() + " " + signed.detail());
        dropOwn(r, slot, block);
        return;
      }
      proposals.publish(proposal, signed.signature(), r.operator);
      sleepUntil(faults.commitNotBefore(slot, rank));
      TxReceipt receipt =
          commitOnceOpen(
              r,
              slot,
              rank,
              TxRequest.call(
                  r.contracts.inboxAddress(),
                  SquadContracts.commitCall(slot, base.hash(), block.hash(), txListHash, upto)));
      if (!receipt.success()) {
        failed(
            r,
            slot,
            "commit_failed",
            "slot " + slot + ": commit reverted in " + receipt.transactionHash());
        dropOwn(r, slot, block);
        return;
      }
      slots.labels(rank == 0 ? "committed" : "taken_over").inc();
      commitGas.observe(receipt.gasUsed().doubleValue());
      // a leader's from its slot's end; a backup's from the missed deadline (slot end + grace)
      long since = clock.millis() - (rank == 0 ? r.startMillis(slot + 1) : r.closesMillis(slot, 0));
      if (rank > 0) {
        handoverSeconds.observe(since / 1000.0);
      }
      r.publish(
          "slot",
          "slot " + slot,
          rank == 0 ? "committed" : "taken over as backup " + rank,
          since,
          "L2 #"
              + block.number()
              + ", "
              + block.txHashes().size()
              + " transaction(s) ("
              + preHashes.size()
              + " preconfirmed, "
              + forced.size()
              + " forced, "
              + carried.size()
              + " carried), gas "
              + receipt.gasUsed(),
          "info");
      LOG.info(
          "squad: slot {} committed{}: L2 block #{} {} with {} transactions ({} preconfirmed, {}"
              + " forced, {} carried), gas {}",
          slot,
          rank == 0 ? "" : " as backup " + rank,
          block.number(),
          short32(block.hash()),
          block.txHashes().size(),
          preHashes.size(),
          forced.size(),
          carried.size(),
          receipt.gasUsed());
    } catch (IOException | L2RpcException | RuntimeException e) {
      failed(r, slot, "l2_failed", "slot " + slot + ": sealing failed: " + e.getMessage());
      if (mined != null
          && e instanceof org.avsnode.operator.chain.L1RpcErrorException x
          && "eth_estimateGas".equals(x.method())) {
        dropOwn(r, slot, mined); // the commitment would revert: it was never sent
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // stopping
    }
  }

  /**
   * Sends the commitment of {@code slot} at {@code rank}. When its estimate reverts with the
   * inbox's {@code TooEarlyForRank} (L1's clock, which the commitment is mined at, is behind this
   * node's: the window opened by this node's clock, not yet by L1's), it is tried again every
   * {@value #TOO_EARLY_RETRY_MILLIS} ms while the window is open by this node's clock, rather than
   * giving the slot up; any other failure is the caller's.
   */
  private TxReceipt commitOnceOpen(Running r, long slot, int rank, TxRequest commit)
      throws InterruptedException {
    boolean logged = false;
    while (true) {
      try {
        return r.sender.sendAndWait(commit);
      } catch (org.avsnode.operator.chain.L1RpcErrorException e) {
        if (!"eth_estimateGas".equals(e.method())
            || !isTooEarly(e)
            || clock.millis() + TOO_EARLY_RETRY_MILLIS >= r.closesMillis(slot, rank)) {
          throw e;
        }
        if (!logged) {
          logged = true;
          slots.labels("l1_clock_behind").inc();
          LOG.warn(
              "squad: slot {}: L1's clock has not reached rank {}'s window yet (it is behind this"
                  + " node's); committing again every {} ms until it has",
              slot,
              rank,
              TOO_EARLY_RETRY_MILLIS);
        }
        Thread.sleep(TOO_EARLY_RETRY_MILLIS);
      }
    }
  }

  /**
   * Whether an L1 error is the inbox's {@code TooEarlyForRank} revert (named from the shipped
   * ABIs).
   */
  static boolean isTooEarly(org.avsnode.operator.chain.L1RpcErrorException e) {
    return org.avsnode.operator.registration.ContractErrors.shipped()
        .name(e.data())
        .filter("TooEarlyForRank"::equals)
        .isPresent();
  }

  /**
   * Drops this node's own block of {@code slot} when it is still the L2 node's head and its
   * commitment can never land (it reverted, or was never sent), so that the next rank or slot need
   * not wait for this rank's window to close before building (see {@link #dropAbove}). A commitment
   * whose fate is unknown (an L1 failure after sending) keeps its block.
   */
  private void dropOwn(Running r, long slot, L2Rpc.Head block) {
    try {
      l2Lock.holding(
          () -> {
            L2Rpc.Head head = r.l2.latest();
            if (Arrays.equals(head.hash(), block.hash())) {
              r.l2.rollback(1);
              droppedBlocks.inc();
              LOG.warn(
                  "squad: slot {}: dropped its own L2 block #{} {} (its commitment cannot land)",
                  slot,
                  block.number(),
                  short32(block.hash()));
            }
            return null;
          });
    } catch (IOException | L2RpcException | RuntimeException e) {
      LOG.warn("squad: slot {}: could not drop its own block: {}", slot, e.getMessage());
    }
  }

  /** Waits until this node's clock reads {@code millis} (unix; at once when it has). */
  private void sleepUntil(long millis) throws InterruptedException {
    while (clock.millis() < millis) {
      Thread.sleep(Math.min(50, Math.max(1, millis - clock.millis())));
    }
  }

  /** Sends {@code fixNextEpoch} when the epoch two ahead is not fixed yet (the slot's leader). */
  private void fixEpochIfDue(Running r, long slot) {
    try {
      long current = r.params.epochOf(slot);
      if (r.schedule.nextEpoch() > current + 2) {
        return;
      }
      TxReceipt t =
          r.sender.sendAndWait(
              TxRequest.call(config.schedule(), SquadContracts.fixNextEpochCall()));
      LOG.info(
          "squad: fixed the schedule of epoch {} (gas {}){}",
          current + 2,
          t.gasUsed(),
          t.success() ? "" : " — reverted");
    } catch (IOException | RuntimeException e) {
      // another operator fixed it first, or L1 is busy: checked again next slot
      LOG.debug("squad: fixNextEpoch: {}", e.getMessage());
    }
  }

  // ------------------------------------------------------------------ the leader's intake

  /**
   * The open slot {@code slot}, waiting up to {@value #OPEN_WAIT_MILLIS} ms for the sync gate to
   * open it; null when it does not open in time.
   */
  OpenSlot awaitOpen(Running r, long slot) {
    OpenSlot o = r.open;
    long deadline = System.currentTimeMillis() + OPEN_WAIT_MILLIS;
    while ((o == null || o.slot() < slot) && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      o = r.open;
    }
    return o != null && o.slot() == slot ? o : null;
  }

  /** How long a wallet's call waits for a peer to hold its preconfirmation ({@link #awaitHeld}). */
  static final Duration HELD_WAIT = Duration.ofSeconds(1);

  /**
   * Waits until a peer holds this node's preconfirmation, then makes it this node's receipt ({@code
   * squad_getPreconfirmation}). The receipt is evidence against this node if the slot's block lacks
   * the transaction; handed out while this node held the only copy, a crash before the gossip left
   * it would let a backup commit the slot without the transaction and get this operator slashed
   * (DESIGN.md §4). A preconfirmation no peer was found holding is sent again when the wallet asks
   * again. False: no peer holds it within {@link #HELD_WAIT}; the transaction is in this node's
   * block all the same if it seals the slot.
   */
  boolean awaitHeld(Running r, Preconfirmer.Accepted a, long t0) {
    StoredPreconfirmation p =
        new StoredPreconfirmation(
            a.slot(),
            Numeric.toHexString(a.txHash()),
            a.signature().toHex(),
            r.operator,
            r.signer.publicKey().toHex());
    if (r.receipts.containsKey(p.txHash())) {
      preconfirmSeconds.observe((System.nanoTime() - t0) / 1e9);
      return true;
    }
    java.util.concurrent.CompletableFuture<Boolean> held = r.unheld.get(p.txHash());
    if (held == null || (held.isDone() && !held.getNow(false))) {
      byte[] raw = r.held.get(p.txHash());
      if (raw == null) {
        return false;
      }
      held = gossip.publishAgain(p, raw);
      r.unheld.put(p.txHash(), held);
    }
    boolean ok;
    try {
      ok = held.get(HELD_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      ok = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ok = false;
    }
    if (ok) {
      r.receipts.put(p.txHash(), p);
      r.unheld.remove(p.txHash(), held);
      preconfirmSeconds.observe((System.nanoTime() - t0) / 1e9);
    } else {
      preconfirmations.labels("unheld").inc();
    }
    return ok;
  }

  /**
   * The outcome of a transaction sent to this node while it leads; null if the slot is not open.
   */
  Preconfirmer.Outcome preconfirm(Running r, long slot, byte[] rawTx) {
    OpenSlot o = awaitOpen(r, slot);
    if (o == null) {
      preconfirmations.labels("not_open").inc();
      return null;
    }
    String refusal = refusal(o, r.refusedAfterReorg);
    Preconfirmer.Outcome out =
        refusal != null
            ? new Preconfirmer.Refused(Preconfirmer.Reason.ESCAPE_HATCH, refusal)
            : r.preconfirmer.preconfirm(slot, rawTx, o.ledger());
    if (out instanceof Preconfirmer.Accepted a) {
      preconfirmations.labels(a.repeat() ? "repeat" : "signed").inc();
      String hash = Numeric.toHexString(a.txHash());
      StoredPreconfirmation stored =
          new StoredPreconfirmation(
              a.slot(), hash, a.signature().toHex(), r.operator, r.signer.publicKey().toHex());
      if (!a.repeat()) {
        promise(r, stored);
        r.held.put(hash, rawTx.clone());
        r.unheld.put(hash, gossip.publish(a.slot(), a.txHash(), r.operator, a.signature(), rawTx));
      }
    } else if (out instanceof Preconfirmer.Refused f) {
      preconfirmations.labels(f.reason().name().toLowerCase(java.util.Locale.ROOT)).inc();
    }
    return out;
  }

  /**
   * The pending nonce a wallet should use while this node leads {@code slot}: the slot's ledger
   * (the L2 state the block builds on plus what was preconfirmed), once the slot is open.
   */
  String pendingNonce(Running r, long slot, String address) throws L2RpcException {
    OpenSlot o = awaitOpen(r, slot);
    if (o != null) {
      return Numeric.encodeQuantity(
          o.ledger().nextNonce(address.toLowerCase(java.util.Locale.ROOT)));
    }
    return Numeric.encodeQuantity(r.l2.nonce(address));
  }

  static byte[] txListHash(List<byte[]> txHashes) {
    byte[] all = new byte[32 * txHashes.size()];
    for (int i = 0; i < txHashes.size(); i++) {
      System.arraycopy(txHashes.get(i), 0, all, 32 * i, 32);
    }
    return Hash.sha3(all);
  }

  static String short32(byte[] h) {
    return Numeric.toHexString(h).substring(0, 10) + "…";
  }

  static <K, V> Map<K, V> boundedMap(int max) {
    return java.util.Collections.synchronizedMap(
        new LinkedHashMap<K, V>(1024, 0.75f, false) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
            return size() > max;
          }
        });
  }
}
