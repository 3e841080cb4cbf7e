package org.avsnode.mach;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.mach.chain.MachContracts;
import org.avsnode.operator.chain.HeadTracker;
import org.avsnode.operator.chain.L1Client;
import org.avsnode.operator.chain.L1Exception;
import org.avsnode.operator.chain.TransactionSender;
import org.avsnode.operator.l2.L2Client;
import org.avsnode.operator.l2.L2Exception;
import org.avsnode.operator.metrics.Counter;
import org.avsnode.operator.metrics.Labelled;
import org.avsnode.operator.metrics.NodeMetrics;
import org.avsnode.operator.net.MessageSender;
import org.avsnode.operator.registry.EpochClock;
import org.avsnode.operator.spi.Duty;
import org.avsnode.operator.spi.DutyContext;
import org.avsnode.operator.spi.DutySigner;
import org.avsnode.operator.spi.Health;
import org.avsnode.operator.spi.OutputVerdicts;
import org.avsnode.operator.spi.SequencedFinality;
import org.avsnode.operator.time.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MACH fast-finality duty (DESIGN.md §7): follows each configured rollup's L2 head, signs a
 * FinalityAttestation per block through the protected signer and sends it to the aggregators; with
 * {@link MachConfig#aggregator()} it also runs the {@link AggregatorRole}.
 */
public final class MachDuty implements Duty {
  private static final Logger LOG = LoggerFactory.getLogger(MachDuty.class);
  public static final String ID = "mach";

  /** Consecutive rejections by the aggregators after which the duty reports itself degraded. */
  static final int REJECTIONS_BEFORE_DEGRADED = 5;

  /**
   * How long a follower may wait at one block for its commitment on L1 (a rollup the node's squad
   * duty sequences) before the duty reports itself degraded: many slots, and many L1 blocks.
   */
  static final Duration SEQUENCING_WAIT_DEGRADED = Duration.ofMinutes(2);

  /** The aggregators' attestation intake route. */
  public static final String ATTESTATION_PATH = "/v1/mach/attestations";

  private final DutyContext context;
  private final MachConfig config;
  private final Clock clock;
  private final MachEvents events;
  private DutySigner signer;
  private byte[] operator;
  private final List<RollupFollower> followers = new ArrayList<>();
  private ScheduledExecutorService scheduler;
  private ExecutorService submitter;
  private AggregatorRole role;
  private volatile Instant startedAt;
  private volatile MessageSender sender;
  // null while registered (or not known yet); otherwise why this operator's signatures do not count
  private volatile String registration;

  public MachDuty(DutyContext context, MachConfig config) {
    this.context = Objects.requireNonNull(context, "context");
    this.config = Objects.requireNonNull(config, "config");
    this.clock = context.clock();
    this.events =
        ActivityMachEvents.wrap(
            context.observers().get(MachEvents.class).orElse(MachEvents.NONE),
            context.ports().get(org.avsnode.operator.spi.ActivityFeed.class));
  }

  @Override
  public String id() {
    return ID;
  }

  /** The aggregator role, when this node runs it and the duty started. */
  public Optional<AggregatorRole> aggregatorRole() {
    return Optional.ofNullable(role);
  }

  /**
   * Stops the aggregator role only (the operator keeps attesting): its intake answers 503 and its
   * pending submissions are dropped, so the other aggregators take over its heights.
   */
  public void stopAggregatorRole() {
    AggregatorRole r = role;
    if (r != null) {
      r.close();
    }
  }

  @Override
  public synchronized void start() {
    // a failed start is stopped and tried again on this object (Duty): begin from a clean state,
    // and
    // read everything from L1 before a thread, a route or a follower exists
    followers.clear();
    role = null;
    sender = null;
    scheduler = null;
    submitter = null;
    registration = null;
    L1Client l1 = context.requireL1(ID);
    signer = context.requireSigner(ID);
    operator =
        MachContracts.address(
            context
                .operator()
                .orElseThrow(() -> new IllegalStateException("mach: the node has no operator")));
    MachContracts contracts =
        new MachContracts(
            l1,
            config.registry(),
            config.finalityOracle(),
            config.slashingCoordinator(),
            config.operatorSetId());
    long chainId = l1.chainId();
    Eip712Domain domain = Eip712Domain.avsNode(chainId, contracts.registryBytes());
    if (!Arrays.equals(domain.separator(), signer.domain().separator())) {
      throw new IllegalStateException(
          "the signer's EIP-712 domain is not the registry's on chain "
              + chainId
              + ": refusing to sign for another deployment");
    }
    long epochLength = contracts.epochLength();
    long maxEpochAge = contracts.maxEpochAge();
    int onChainThreshold = contracts.thresholdBps();
    Optional<HeadTracker> head = context.l1Head();
    String name = "mach-" + MachContracts.hex(operator).substring(0, 10);
    scheduler = Executors.newScheduledThreadPool(2, DaemonThreads.named(name));
    submitter = Executors.newFixedThreadPool(4, DaemonThreads.named(name + "-submit"));
    Labelled<Counter> posts =
        context
            .metrics()
            .counter(
                AggregatorRole.CATEGORY,
                "attestations_sent_total",
                "Attestations offered to aggregators, by outcome",
                "outcome");
    Labelled<Counter> signatures =
        context
            .metrics()
            .counter(
                AggregatorRole.CATEGORY,
                "attestations_signed_total",
                "Attestations this operator signed or refused to sign, by outcome",
                "outcome");
    Counter reorgs =
        context
            .metrics()
            .counter(
                AggregatorRole.CATEGORY, "l2_reorgs_total", "L2 reorgs seen below attested blocks")
            .labels();
    MessageSender sender =
        this.sender =
            new MessageSender(
                config.aggregators(),
                ATTESTATION_PATH,
                config.postAttempts(),
                config.rpcTimeout(),
                scheduler,
                posts);
    BlockClock blockClock = new BlockClock(4096);
    if (config.aggregator()) {
      Optional<TransactionSender> tx = context.transactions();
      if (tx.isEmpty()) {
        LOG.warn("mach aggregator without an L1 transaction sender: certificates are served only");
      }
      role =
          new AggregatorRole(
              config,
              contracts,
              domain,
              tx,
              events,
              clock,
              scheduler,
              submitter,
              new CertificateStore(8192),
              blockClock,
              () -> l1.blockNumber() / epochLength,
              maxEpochAge,
              onChainThreshold,
              context.metrics(),
              () -> context.ports().get(OutputVerdicts.class));
      role.install(context.routes());
      role.prefetchCurrentEpoch();
      role.startCadence();
    }
    java.util.function.LongSupplier l1Head =
        () -> head.flatMap(HeadTracker::head).map(h -> h.number()).orElseGet(l1::blockNumber);
    // stakeEpoch from the L2 block's timestamp and L1 boundary blocks: the same for every operator
    EpochClock epochClock =
        new EpochClock(
            epochLength, config.epochLag(), l1Head, n -> l1.byNumber(n).map(b -> b.timestamp()));
    Labelled<org.avsnode.operator.metrics.Gauge> l2Head =
        context
            .metrics()
            .gauge(
                AggregatorRole.CATEGORY,
                "l2_head_block",
                "Latest L2 block number this operator's L2 node reported, by rollup",
                "rollup");
    Labelled<org.avsnode.operator.metrics.Gauge> attestedBlock =
        context
            .metrics()
            .gauge(
                AggregatorRole.CATEGORY,
                "attested_block",
                "Latest L2 block this operator signed an attestation for, by rollup (l2_head_block"
                    + " minus this: blocks not attested yet)",
                "rollup");
    Labelled<Counter> missed =
        context
            .metrics()
            .counter(
                AggregatorRole.CATEGORY,
                "attestations_missed_total",
                "L2 blocks this operator skipped without attesting (it fell more than 64 blocks"
                    + " behind the head), by rollup",
                "rollup");
    // rollups SQUAD sequences: the node's squad duty answers for the ones it sequences; for the
    // others, the inbox the slashing coordinator registered for the rollup (or the configured one),
    // read from L1
    Map<Long, L2Client> l2Clients = new java.util.HashMap<>();
    for (Map.Entry<Long, java.net.URI> r : config.rollups().entrySet()) {
      l2Clients.put(r.getKey(), new L2Client(r.getValue(), config.rpcTimeout()));
    }
    SequencerInboxes inboxes =
        new SequencerInboxes(config.sequencerInboxes(), contracts::sequencerInboxOf, l1Head);
    InboxCommitments fromL1 =
        new InboxCommitments(
            inboxes::of, l2Clients::get, l1Head, (inbox, at) -> lastBlockHash(l1, inbox, at));
    RollupFollower.Commitments sequencing =
        (rollupId, number, hash, confirmations) -> {
          Optional<Boolean> squad =
              context
                  .ports()
                  .get(SequencedFinality.class)
                  .flatMap(s -> s.committed(rollupId, number, hash, confirmations));
          return squad.isPresent()
              ? squad
              : fromL1.committed(rollupId, number, hash, confirmations);
        };
    for (Map.Entry<Long, java.net.URI> r : config.rollups().entrySet()) {
      L2Client l2 = l2Clients.get(r.getKey());
      RollupFollower f =
          new RollupFollower(
              r.getKey(),
              l2,
              signer,
              operator,
              epochClock::epochFor,
              sender,
              events,
              blockClock,
              clock,
              signatures,
              reorgs,
              () -> context.ports().get(OutputVerdicts.class));
      String rollupLabel = Long.toString(r.getKey());
      f.withProgressMetrics(
              l2Head.labels(rollupLabel),
              attestedBlock.labels(rollupLabel),
              missed.labels(rollupLabel))
          .withSequencing(sequencing, config.sequencedConfirmations());
      followers.add(f);
      scheduler.scheduleWithFixedDelay(
          () -> pollQuietly(f), 0, config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    }
    // eigen_registered_stakes: this operator's stake in the operator set at the current epoch
    NodeMetrics nodeMetrics = new NodeMetrics(context.metrics());
    String operatorHex = MachContracts.hex(operator);
    scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            long epoch = contracts.currentEpoch();
            java.math.BigInteger stake = contracts.stakeOf(operatorHex, epoch);
            nodeMetrics.registeredStake((int) config.operatorSetId(), "mach", stake.doubleValue());
            registration =
                stake.signum() > 0
                    ? null
                    : "operator "
                        + operatorHex
                        + " has no stake in operator set "
                        + config.operatorSetId()
                        + " at epoch "
                        + epoch
                        + " (not registered?): its attestations cannot count";
          } catch (RuntimeException e) {
            LOG.debug("reading the registered stake failed: {}", e.toString());
          }
        },
        0,
        30,
        TimeUnit.SECONDS);
    startedAt = clock.instant();
    LOG.info(
        "mach: following rollups {}, {} aggregator(s){}",
        config.rollups().keySet(),
        config.aggregators().size(),
        config.aggregator() ? ", aggregating (rank " + config.aggregatorRank() + ")" : "");
  }

  /** {@code lastBlockHash()} selector of the SequencerInbox. */
  private static final String LAST_BLOCK_HASH =
      org.web3j.abi.FunctionEncoder.encode(
          new org.web3j.abi.datatypes.Function("lastBlockHash", List.of(), List.of()));

  /** The inbox's {@code lastBlockHash()} as of L1 block {@code at} ({@code eth_call} there). */
  static byte[] lastBlockHash(L1Client l1, String inbox, long at) {
    Object r =
        l1.rawCall(
            "eth_call",
            List.of(Map.of("to", inbox, "data", LAST_BLOCK_HASH), "0x" + Long.toHexString(at)));
    if (!(r instanceof String s) || !s.startsWith("0x") || s.length() != 66) {
      throw new L1Exception(
          L1Exception.Kind.MALFORMED,
          "eth_call",
          "lastBlockHash() of inbox " + inbox + " at L1 block " + at + " is not 32 bytes: " + r);
    }
    try {
      return org.web3j.utils.Numeric.hexStringToByteArray(s);
    } catch (RuntimeException e) {
      throw new L1Exception(
          L1Exception.Kind.MALFORMED, "eth_call", "lastBlockHash() is not hex: " + s, e);
    }
  }

  private static void pollQuietly(RollupFollower f) {
    try {
      f.poll();
    } catch (L2Exception | L1Exception e) {
      f.failed(e.getMessage());
      LOG.debug("rollup {}: {}", f.rollupId(), e.getMessage());
    } catch (RuntimeException e) {
      f.failed(e.toString());
      LOG.error("rollup {}: unexpected failure", f.rollupId(), e);
    }
  }

  @Override
  public Health health() {
    Instant now = clock.instant();
    Duration stale = config.pollInterval().multipliedBy(5).plusSeconds(10);
    List<String> problems = new ArrayList<>();
    String notRegistered = registration;
    if (notRegistered != null) {
      problems.add(notRegistered);
    }
    MessageSender s = sender;
    if (s != null && s.rejectedSinceAccepted() >= REJECTIONS_BEFORE_DEGRADED) {
      problems.add(
          "the aggregators rejected the last "
              + s.rejectedSinceAccepted()
              + " attestations of this operator");
    }
    int stalled = 0;
    for (RollupFollower f : followers) {
      f.vitalRefusal().ifPresent(problems::add);
      f.waiting()
          .filter(w -> Duration.between(w.since(), now).compareTo(SEQUENCING_WAIT_DEGRADED) > 0)
          .ifPresent(
              w ->
                  problems.add(
                      "rollup "
                          + f.rollupId()
                          + ": block "
                          + w.l2BlockNumber()
                          + " has waited "
                          + Duration.between(w.since(), now).toSeconds()
                          + " s for a slot commitment naming it with "
                          + config.sequencedConfirmations()
                          + " L1 confirmation(s); nothing above it is attested"));
      Optional<Instant> ok = f.lastSuccess();
      if (ok.isEmpty() || Duration.between(ok.get(), now).compareTo(stale) > 0) {
        stalled++;
        problems.add(
            "rollup "
                + f.rollupId()
                + ": "
                + f.lastError().orElse(ok.isEmpty() ? "starting" : "stalled"));
      }
    }
    if (problems.isEmpty()) {
      return Health.up();
    }
    // down only when no rollup is followed at all; a registration problem alone is degraded
    return stalled == followers.size()
            && startedAt != null
            && Duration.between(startedAt, now).compareTo(stale) > 0
        ? Health.down(String.join("; ", problems))
        : Health.partial(String.join("; ", problems));
  }

  @Override
  public synchronized void stop() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
    if (submitter != null) {
      submitter.shutdownNow();
    }
    if (role != null) {
      role.close();
    }
  }
}
