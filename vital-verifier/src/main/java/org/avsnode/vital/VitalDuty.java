package org.avsnode.vital;

import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.avsnode.bls.Hex;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.OutputVerdict;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.operator.chain.L1Client;
import org.avsnode.operator.chain.L1Exception;
import org.avsnode.operator.chain.LogSubscription;
import org.avsnode.operator.l2.L2Client;
import org.avsnode.operator.metrics.Counter;
import org.avsnode.operator.metrics.Histogram;
import org.avsnode.operator.metrics.Labelled;
import org.avsnode.operator.metrics.MetricsSystem;
import org.avsnode.operator.net.MessageSender;
import org.avsnode.operator.quorum.SignedMessage;
import org.avsnode.operator.registry.RegistryReader;
import org.avsnode.operator.slashing.SigningResult;
import org.avsnode.operator.spi.Duty;
import org.avsnode.operator.spi.DutyContext;
import org.avsnode.operator.spi.DutySigner;
import org.avsnode.operator.spi.Health;
import org.avsnode.operator.spi.OutputVerdicts;
import org.avsnode.operator.time.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VITAL duty for optimistic rollups (DESIGN.md §7): discovers every output a rollup posts to
 * its output oracle on L1 (through the node's L1 log subscription: persisted cursor, reorgs
 * retracted), recomputes the output root v0 of the named L2 block from the operator's own L2
 * node(s) once that block is final, and signs an {@code OutputVerdict} through the node's signer,
 * VALID as well as INVALID, which it sends to the aggregators. ABSTAIN is never signed: it is
 * counted, logged with its reason and shown in health. With {@link VitalConfig#aggregator()} the
 * node also aggregates verdicts and submits verdict certificates to the verdict oracle. It answers
 * MACH's {@link OutputVerdicts} port from its local verdicts.
 */
public final class VitalDuty implements Duty, OutputVerdicts {
  private static final Logger LOG = LoggerFactory.getLogger(VitalDuty.class);
  public static final String ID = "vital";

  /** An output posted on L1, as discovered. */
  record Proposal(
      long rollupId,
      BigInteger index,
      long l2BlockNumber,
      byte[] root,
      long l1BlockNumber,
      String logKey,
      Instant discoveredAt) {}

  /**
   * The quorum's verdict recorded on L1 for the output at one L2 block; {@code invalidated} names
   * the root posted there (null for a validation, or if the log's data did not carry it).
   */
  record QuorumRecord(boolean invalid, OutputVerdicts.Invalidated invalidated) {}

  /** The local verdict on a proposal. */
  record Local(Proposal proposal, OutputChecker.Verdict verdict, String reason) {}

  private final DutyContext context;
  private final VitalConfig config;
  private final Clock clock;
  private final VitalEvents events;
  private final Map<Long, Rollup> rollups = new LinkedHashMap<>();
  private ScheduledExecutorService scheduler;
  private ExecutorService submitter;
  private DutySigner signer;
  private byte[] operator;
  private long epochLength;
  private MessageSender sender;
  private VerdictAggregator aggregator;
  private Labelled<Counter> verdicts;
  private Labelled<Counter> l2Calls;
  private Counter l1Calls;
  private final Map<URI, L2Endpoint> endpoints = new LinkedHashMap<>();
  private Counter outputsChecked;
  private Counter retractions;
  private Counter droppedProposals;
  private Histogram verdictLatency;
  private Labelled<Counter> proofsChecked;
  private Labelled<Counter> zkEvidenceCount;
  private final ZkEvidence zkEvidence = new ZkEvidence();

  /** Evidence keys being submitted, and when each candidate was first seen (millis). */
  private final java.util.Set<String> zkEvidenceInFlight =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final Map<String, Long> zkEvidenceSeen = new java.util.concurrent.ConcurrentHashMap<>();
  private Histogram proofCheckSeconds;
  private LogSubscription quorumLog;
  private VitalContracts contracts;

  /** Quorum records whose output's L2 block could not be read yet (retried each poll). */
  private final List<LogSubscription.LogEvent> unresolvedQuorum =
      java.util.Collections.synchronizedList(new ArrayList<>());

  private volatile String lastAbstain;

  /** The last output on which the quorum's record on L1 contradicts this node's verdict. */
  private volatile Disagreement disagreement;

  private record Disagreement(long rollupId, BigInteger index, String text) {}

  private Counter disagreements;
  private volatile String lastError;
  private volatile Instant lastPoll;

  /** One rollup: its oracle, its checker, its subscription and what was seen. */
  private final class Rollup {
    final long id;

    /**
     * The output oracle, the dispute game factory when {@link #games}, or the ZkBatchProposer when
     * {@link #zkChecker} is set.
     */
    final String oracle;

    final boolean games;
    final OutputChecker checker;

    /** A validity rollup's checker (null for an optimistic rollup). */
    final ZkBatchChecker zkChecker;

    /** A validity rollup's commitments and the proofs published for them, by commitment index. */
    final Map<BigInteger, ZkBatch> zkBatches = new java.util.concurrent.ConcurrentHashMap<>();

    final Map<BigInteger, List<ZkBatch.Proof>> zkProofs =
        new java.util.concurrent.ConcurrentHashMap<>();

    /** Game creation logs whose index and L2 block are not read yet, in delivery order. */
    final GameLogs unresolvedGames = new GameLogs();

    LogSubscription subscription;
    final NavigableMap<BigInteger, Proposal> posted = new ConcurrentSkipListMap<>();
    final Map<String, Proposal> pending = new LinkedHashMap<>();
    final NavigableMap<BigInteger, Local> decided = new ConcurrentSkipListMap<>();

    /** The quorum's recorded verdicts on L1, by the output's L2 block. */
    final NavigableMap<Long, QuorumRecord> quorum = new ConcurrentSkipListMap<>();

    /** Which L2 block each recorded output index names (to undo a record a reorg removed). */
    final Map<String, Long> quorumLogs = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A validity rollup's records by commitment index (a batch withdrawn and committed again names
     * the same L2 blocks under a new index: the later commitment's record stands for the blocks).
     */
    final NavigableMap<BigInteger, QuorumRecord> quorumByIndex = new ConcurrentSkipListMap<>();

    final Map<String, BigInteger> quorumLogIndex = new java.util.concurrent.ConcurrentHashMap<>();

    volatile long nextExpectedBlock = -1;

    Rollup(long id, String oracle, boolean games, OutputChecker checker) {
      this(id, oracle, games, checker, null);
    }

    Rollup(long id, String oracle, boolean games, OutputChecker checker, ZkBatchChecker zkChecker) {
      this.id = id;
      this.oracle = oracle;
      this.games = games;
      this.checker = checker;
      this.zkChecker = zkChecker;
    }

    boolean zk() {
      return zkChecker != null;
    }
  }

  public VitalDuty(DutyContext context, VitalConfig config) {
    this.context = Objects.requireNonNull(context, "context");
    this.config = Objects.requireNonNull(config, "config");
    this.clock = context.clock();
    this.events =
        ActivityVitalEvents.wrap(
            context.observers().get(VitalEvents.class).orElse(VitalEvents.NONE),
            context.ports().get(org.avsnode.operator.spi.ActivityFeed.class));
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public synchronized void start() {
    // a failed start is stopped and tried again on this object (Duty): begin from a clean state;
    // the
    // L1 reads that can fail all come before a thread, a route or the OutputVerdicts port exists
    rollups.clear();
    unresolvedQuorum.clear();
    aggregator = null;
    sender = null;
    scheduler = null;
    submitter = null;
    quorumLog = null;
    L1Client l1 = context.requireL1(ID);
    signer = context.requireSigner(ID);
    operator =
        RegistryReader.address(
            context
                .operator()
                .orElseThrow(() -> new IllegalStateException("vital: the node has no operator")));
    contracts =
        new VitalContracts(
            l1,
            config.registry(),
            config.verdictOracle(),
            config.slashingCoordinator(),
            config.operatorSetId());
    Eip712Domain domain = Eip712Domain.avsNode(l1.chainId(), contracts.registry().registryBytes());
    if (!Arrays.equals(domain.separator(), signer.domain().separator())) {
      throw new IllegalStateException(
          "the signer's EIP-712 domain is not the registry's: refusing to sign for another"
              + " deployment");
    }
    epochLength = contracts.registry().epochLength();
    MetricsSystem metrics = context.metrics();
    verdicts =
        metrics.counter(
            VerdictAggregator.CATEGORY,
            "verdicts_total",
            "Local verdicts on posted outputs, by outcome (valid and invalid are signed; abstain is"
                + " not; refused: slashing protection said no)",
            "outcome");
    l2Calls =
        metrics.counter(
            VerdictAggregator.CATEGORY,
            "l2_requests_total",
            "Requests to the L2 node(s), by purpose: head (eth_blockNumber, reused by every rollup"
                + " on the endpoint for half a poll interval) or output (the block and the message"
                + " passer's proof of a checked output)",
            "purpose");
    l1Calls =
        metrics
            .counter(
                VerdictAggregator.CATEGORY,
                "l1_requests_total",
                "L1 reads made for one output (its successor's block number, the block an L1"
                    + " verdict record names); the log polling shared by all outputs is not"
                    + " counted here")
            .labels();
    outputsChecked =
        metrics
            .counter(
                VerdictAggregator.CATEGORY,
                "outputs_checked_total",
                "Posted outputs checked (l2_requests_total / outputs_checked_total: requests per"
                    + " output)")
            .labels();
    retractions =
        metrics
            .counter(
                VerdictAggregator.CATEGORY,
                "proposals_retracted_total",
                "Proposals removed by an L1 reorg after they were discovered")
            .labels();
    disagreements =
        metrics
            .counter(
                VerdictAggregator.CATEGORY,
                "quorum_disagreements_total",
                "Outputs whose verdict recorded by the quorum on L1 contradicts this node's signed"
                    + " verdict (this node's L2 view differs from the other operators')")
            .labels();
    droppedProposals =
        metrics
            .counter(
                VerdictAggregator.CATEGORY,
                "proposals_dropped_total",
                "Proposal logs dropped as hostile or malformed (a log without its fields, a game"
                    + " whose l2BlockNumber() reverts or makes no sense)")
            .labels();
    verdictLatency =
        metrics
            .histogram(
                VerdictAggregator.CATEGORY,
                "verdict_latency_seconds",
                "Time from a proposal's discovery on L1 to the local verdict",
                MetricsSystem.DURATION_BUCKETS)
            .labels();
    proofsChecked =
        metrics.counter(
            VerdictAggregator.CATEGORY,
            "proofs_checked_total",
            "Validity proofs checked against a ZK rollup's verifier (eth_call) with the public"
                + " inputs this node rebuilt, by outcome: verifies, rejected (the proof does not"
                + " verify with them), unreachable (the L1 call failed; retried)",
            "outcome");
    zkEvidenceCount =
        metrics.counter(
            VerdictAggregator.CATEGORY,
            "zk_verdict_evidence_total",
            "Verdicts on a validity rollup's commitment that a verified proof contradicts, by"
                + " outcome: seen (kept as evidence), slashed, reverted, already_used (another"
                + " aggregator submitted it), refused (the coordinator would not take it)",
            "outcome");
    proofCheckSeconds =
        metrics
            .histogram(
                VerdictAggregator.CATEGORY,
                "proof_check_seconds",
                "Time of one proof check (the verifier's eth_call on the operator's L1 endpoint)",
                MetricsSystem.DURATION_BUCKETS)
            .labels();
    Map<Long, String> oracles = new LinkedHashMap<>(config.outputOracles());
    Map<Long, String> factories = new LinkedHashMap<>(config.gameFactories());
    if (oracles.isEmpty() && factories.isEmpty() && context.deployment().isPresent()) {
      Deployment d = context.deployment().get();
      String deployed = d.contracts().outputOracle();
      oracles.put(contracts.rollupIdOf(deployed), deployed.toLowerCase(java.util.Locale.ROOT));
      d.contracts()
          .disputeGameFactoryAddress()
          .ifPresent(
              f -> factories.put(contracts.gameRollupOf(f), f.toLowerCase(java.util.Locale.ROOT)));
    }
    Path dir = context.dutyDirectory(ID);
    long startBlock = context.deployment().map(d -> d.deploymentBlock()).orElse(l1.blockNumber());
    for (Map.Entry<Long, List<URI>> e : config.sources().entrySet()) {
      String zkProposer = config.zkProposers().get(e.getKey());
      String oracle = zkProposer != null ? null : oracles.get(e.getKey());
      String factory = zkProposer != null ? null : factories.get(e.getKey());
      if (oracle == null && factory == null && zkProposer == null) {
        throw new IllegalStateException(
            "vital: rollup "
                + e.getKey()
                + " has no output oracle, dispute game factory or ZK batch proposer (set"
                + " vital.output-oracles, vital.dispute-game-factories or vital.zk-proposers)");
      }
      List<OutputChecker.Source> sources = new ArrayList<>();
      for (URI u : e.getValue()) {
        sources.add(
            endpoints.computeIfAbsent(
                u,
                x ->
                    new L2Endpoint(
                        new L2Client(x, config.rpcTimeout()),
                        config.l2RequestsPerSecond(),
                        config.rpcTimeout(),
                        config.pollInterval().dividedBy(2),
                        System::nanoTime,
                        purpose -> l2Calls.labels(purpose).inc())));
      }
      if (zkProposer != null) {
        rollups.put(e.getKey(), zkRollup(l1, e.getKey(), zkProposer, sources, dir, startBlock));
        continue;
      }
      boolean games = oracle == null;
      long sequencedAs = config.sequencedAs().getOrDefault(e.getKey(), e.getKey());
      Rollup r =
          new Rollup(
              e.getKey(),
              games ? factory : oracle,
              games,
              new OutputChecker(
                  sources,
                  config.finalityDepth(),
                  System::nanoTime,
                  () -> sequencedFinal(sequencedAs)));
      r.subscription =
          new LogSubscription(
              l1,
              List.of(r.oracle),
              List.of(
                  games
                      ? VitalContracts.DISPUTE_GAME_CREATED_TOPIC
                      : VitalContracts.OUTPUT_PROPOSED_TOPIC),
              0,
              dir.resolve("cursor-" + e.getKey() + ".json"),
              startBlock,
              new LogSubscription.Listener() {
                @Override
                public void onLog(LogSubscription.LogEvent log) {
                  if (r.games) {
                    r.unresolvedGames.add(log);
                  } else {
                    discovered(r, log);
                  }
                }

                @Override
                public void onRetracted(LogSubscription.LogEvent log) {
                  r.unresolvedGames.retract(log.key());
                  retracted(r, log);
                }
              });
      rollups.put(e.getKey(), r);
    }
    quorumLog =
        new LogSubscription(
            l1,
            List.of(config.verdictOracle()),
            List.of(VitalContracts.OUTPUT_INVALIDATED_TOPIC, VitalContracts.OUTPUT_VALIDATED_TOPIC),
            0,
            dir.resolve("cursor-verdict-oracle.json"),
            startBlock,
            new LogSubscription.Listener() {
              @Override
              public void onLog(LogSubscription.LogEvent log) {
                if (!recordQuorum(log)) {
                  unresolvedQuorum.add(log);
                }
              }

              @Override
              public void onRetracted(LogSubscription.LogEvent log) {
                unresolvedQuorum.removeIf(l -> l.key().equals(log.key()));
                for (Rollup r : rollups.values()) {
                  Long block = r.quorumLogs.remove(log.key());
                  if (block != null) {
                    r.quorum.remove(block);
                  }
                  BigInteger index = r.quorumLogIndex.remove(log.key());
                  if (index != null) {
                    r.quorumByIndex.remove(index);
                  }
                }
              }
            });
    String name = "vital-" + Hex.toHexPrefixed(operator).substring(0, 10);
    scheduler = Executors.newScheduledThreadPool(2, DaemonThreads.named(name));
    submitter = Executors.newFixedThreadPool(2, DaemonThreads.named(name + "-submit"));
    sender =
        new MessageSender(
            config.aggregators(),
            VerdictAggregator.PATH,
            config.postAttempts(),
            config.rpcTimeout(),
            scheduler,
            metrics.counter(
                VerdictAggregator.CATEGORY,
                "verdicts_sent_total",
                "Verdicts offered to aggregators, by outcome",
                "outcome"));
    if (config.aggregator()) {
      aggregator =
          new VerdictAggregator(
              config,
              contracts,
              domain,
              context.transactions(),
              this::postedRoot,
              events,
              clock,
              scheduler,
              submitter,
              metrics);
      aggregator.install(context.routes());
      aggregator.onAdmitted(
          v -> {
            Rollup zr = rollups.get(v.message().rollupId());
            if (zr != null && zr.zk()) {
              ZkBatch b = zr.zkBatches.get(v.message().outputIndex());
              if (b != null) {
                zkEvidence.offer(v, b);
              }
            }
          });
    }
    context.ports().provide(OutputVerdicts.class, this);
    scheduler.scheduleWithFixedDelay(
        this::pollQuorumQuietly, 0, config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    for (Rollup r : rollups.values()) {
      scheduler.scheduleWithFixedDelay(
          () -> pollQuietly(r, contracts),
          0,
          config.pollInterval().toMillis(),
          TimeUnit.MILLISECONDS);
    }
    LOG.info(
        "vital: checking the outputs of rollups {} ({} L2 source(s) each){}",
        rollups.keySet(),
        config.sources().values().stream().mapToInt(List::size).max().orElse(1),
        config.aggregator() ? ", aggregating (rank " + config.aggregatorRank() + ")" : "");
  }

  // ---------------------------------------------------------------- discovery

  /**
   * A validity rollup: its proposer's commitments, published proofs and reverts on one
   * subscription; proofs are checked with the verifier the proposer names (read once here).
   */
  private Rollup zkRollup(
      L1Client l1,
      long id,
      String proposer,
      List<OutputChecker.Source> sources,
      Path dir,
      long startBlock) {
    long onChainId = contracts.zkRollupIdOf(proposer);
    if (onChainId != id) {
      throw new IllegalStateException(
          "vital: the ZK batch proposer "
              + proposer
              + " serves rollup "
              + onChainId
              + ", not "
              + id);
    }
    String verifier = contracts.zkVerifierOf(proposer);
    List<ZkBatchChecker.Source> zkSources = new ArrayList<>();
    for (OutputChecker.Source s : sources) {
      zkSources.add((ZkBatchChecker.Source) s);
    }
    ZkBatchChecker checker =
        new ZkBatchChecker(
            zkSources,
            config.finalityDepth(),
            config.maxBatchBlocks(),
            (proof, inputs) -> {
              long t0 = System.nanoTime();
              ZkBatchChecker.Answer a = contracts.verifyProof(verifier, proof, inputs);
              proofCheckSeconds.observe((System.nanoTime() - t0) / 1e9);
              return a;
            },
            a -> proofsChecked.labels(a.outcome().name().toLowerCase(java.util.Locale.ROOT)).inc());
    Rollup r = new Rollup(id, proposer.toLowerCase(java.util.Locale.ROOT), false, null, checker);
    r.subscription =
        new LogSubscription(
            l1,
            List.of(r.oracle),
            List.of(
                VitalContracts.BATCH_COMMITTED_TOPIC,
                VitalContracts.PROOF_SUBMITTED_TOPIC,
                VitalContracts.BATCHES_REVERTED_TOPIC),
            0,
            dir.resolve("cursor-" + id + ".json"),
            startBlock,
            new LogSubscription.Listener() {
              @Override
              public void onLog(LogSubscription.LogEvent log) {
                zkLog(r, log);
              }

              @Override
              public void onRetracted(LogSubscription.LogEvent log) {
                r.zkProofs.values().forEach(l -> l.removeIf(p -> p.logKey().equals(log.key())));
                retracted(r, log);
              }
            });
    LOG.info(
        "vital: rollup {} is a validity rollup: proofs checked with verifier {}", id, verifier);
    return r;
  }

  /** Most proofs kept per commitment (only the rollup's prover may publish). */
  private static final int MAX_PROOFS_PER_COMMITMENT = 16;

  private void zkLog(Rollup r, LogSubscription.LogEvent log) {
    String t0 = log.topics().isEmpty() ? "" : log.topics().get(0);
    try {
      if (VitalContracts.BATCH_COMMITTED_TOPIC.equalsIgnoreCase(t0)) {
        ZkBatch b = ZkBatch.fromLog(log);
        r.zkBatches.put(b.commitmentIndex(), b);
        accept(
            r,
            new Proposal(
                r.id,
                b.commitmentIndex(),
                b.lastBlock(),
                b.newStateRoot(),
                log.blockNumber(),
                log.key(),
                clock.instant()));
      } else if (VitalContracts.PROOF_SUBMITTED_TOPIC.equalsIgnoreCase(t0)) {
        ZkBatch.Proof p = ZkBatch.proofFromLog(log);
        List<ZkBatch.Proof> list =
            r.zkProofs.computeIfAbsent(
                p.commitmentIndex(), k -> new java.util.concurrent.CopyOnWriteArrayList<>());
        if (list.stream().noneMatch(x -> x.logKey().equals(p.logKey()))) {
          if (list.size() >= MAX_PROOFS_PER_COMMITMENT) {
            list.remove(0);
          }
          list.add(p);
        }
        processPending(r);
      } else if (VitalContracts.BATCHES_REVERTED_TOPIC.equalsIgnoreCase(t0)) {
        if (log.topics().size() != 2) {
          throw new IllegalArgumentException("a BatchesReverted log needs 1 indexed topic");
        }
        BigInteger from = new BigInteger(1, Hex.fromHex(log.topics().get(1)));
        Iterator<Proposal> it = r.pending.values().iterator();
        while (it.hasNext()) {
          Proposal p = it.next();
          ZkBatch b = r.zkBatches.get(p.index());
          if (b != null && BigInteger.valueOf(b.batchNumber()).compareTo(from) >= 0) {
            it.remove();
            abstain(r, p, "batch " + b.batchNumber() + " was withdrawn by the sequencer");
          }
        }
      }
    } catch (IllegalArgumentException e) {
      LOG.warn(
          "vital: rollup {}: a log of the ZK batch proposer that does not add up, dropped ({}):"
              + " {}",
          r.id,
          log.key(),
          e.getMessage());
      droppedProposals.inc();
    }
  }

  private void pollQuietly(Rollup r, VitalContracts contracts) {
    try {
      r.subscription.poll();
      if (r.games) {
        resolveGames(r);
      }
      processPending(r);
      precompute(r, contracts);
      if (r.zk() && aggregator != null) {
        submitZkEvidence();
      }
      lastPoll = clock.instant();
      lastError = null;
    } catch (L1Exception e) {
      lastError = "L1: " + e.getMessage();
      LOG.debug("vital: rollup {}: {}", r.id, e.getMessage());
    } catch (RuntimeException e) {
      lastError = e.toString();
      LOG.error("vital: rollup {}: unexpected failure", r.id, e);
    }
  }

  /**
   * Turns game creation logs into proposals ({@link GameLogs}): one L1 read per block with games,
   * one per game (its {@code l2BlockNumber()}); a game whose answers make no sense is dropped with
   * a warning and counted.
   */
  private void resolveGames(Rollup r) {
    r.unresolvedGames.resolve(
        new GameLogs.Reads() {
          @Override
          public BigInteger gameCountAt(String blockHash) {
            l1Calls.inc();
            return contracts.gameCountAt(r.oracle, blockHash);
          }

          @Override
          public long gameL2Block(String game) {
            l1Calls.inc();
            return contracts.gameL2Block(game);
          }
        },
        new GameLogs.Sink() {
          @Override
          public void resolved(LogSubscription.LogEvent log, BigInteger index, long l2Block) {
            accept(
                r,
                new Proposal(
                    r.id,
                    index,
                    l2Block,
                    Hex.fromHex(log.topics().get(3)),
                    log.blockNumber(),
                    log.key(),
                    clock.instant()));
          }

          @Override
          public void dropped(LogSubscription.LogEvent log, String why) {
            LOG.warn("vital: rollup {}: game log {} dropped: {}", r.id, log.key(), why);
            droppedProposals.inc();
          }
        });
  }

  /** Computes the root of the block the next proposal will name, once the L2 has it. */
  private void precompute(Rollup r, VitalContracts contracts) {
    if (r.zk()) {
      return; // a batch's blocks are read when its commitment is seen
    }
    if (r.games) {
      return; // a game may name any block: its root is computed when it is discovered
    }
    if (r.nextExpectedBlock < 0) {
      l1Calls.inc();
      r.nextExpectedBlock = contracts.nextBlockNumber(r.oracle);
    }
    r.checker.precompute(r.nextExpectedBlock);
  }

  private void discovered(Rollup r, LogSubscription.LogEvent log) {
    if (log.topics().size() < 4
        || !log.topics().stream().allMatch(t -> t.matches("0x[0-9a-fA-F]{64}"))
        || new BigInteger(1, Hex.fromHex(log.topics().get(3))).bitLength() > 63) {
      LOG.warn(
          "vital: rollup {}: an OutputProposed log that does not add up, dropped: {}",
          r.id,
          log.key());
      droppedProposals.inc();
      return;
    }
    Proposal p =
        new Proposal(
            r.id,
            new BigInteger(1, Hex.fromHex(log.topics().get(2))),
            new BigInteger(1, Hex.fromHex(log.topics().get(3))).longValueExact(),
            Hex.fromHex(log.topics().get(1)),
            log.blockNumber(),
            log.key(),
            clock.instant());
    accept(r, p);
  }

  private void accept(Rollup r, Proposal p) {
    Proposal before = r.posted.get(p.index());
    if (before != null && before.logKey().equals(p.logKey())) {
      return; // redelivered after a restart
    }
    r.posted.put(p.index(), p);
    r.pending.put(p.logKey(), p);
    trim(r);
    // the next proposal names the block one interval further
    r.nextExpectedBlock = -1;
    events.onProposal(r.id, p.index(), p.l2BlockNumber(), p.root());
    if (aggregator != null) {
      aggregator.proposalSeen(r.id, p.index(), p.root());
    }
    processPending(r);
  }

  /** Outputs (or commitments) kept per rollup once decided: the latest ones. */
  static final int KEEP_OUTPUTS = 4096;

  /**
   * Forgets the oldest decided outputs beyond {@link #KEEP_OUTPUTS} (a validity rollup commits
   * often): their proposal, local verdict, batch and proofs. One still pending stays.
   */
  private void trim(Rollup r) {
    while (r.posted.size() > KEEP_OUTPUTS) {
      Map.Entry<BigInteger, Proposal> oldest = r.posted.firstEntry();
      if (oldest == null || r.pending.containsKey(oldest.getValue().logKey())) {
        return;
      }
      BigInteger i = oldest.getKey();
      r.posted.remove(i);
      r.decided.remove(i);
      r.zkBatches.remove(i);
      r.zkProofs.remove(i);
      r.quorumByIndex.remove(i);
    }
  }

  private void retracted(Rollup r, LogSubscription.LogEvent log) {
    r.pending.remove(log.key());
    List<Proposal> gone =
        r.posted.values().stream().filter(p -> p.logKey().equals(log.key())).toList();
    r.posted.values().removeAll(gone);
    r.decided.values().removeIf(l -> l.proposal().logKey().equals(log.key()));
    r.nextExpectedBlock = -1;
    for (Proposal p : gone) {
      retractions.inc();
      events.onRetracted(r.id, p.index(), p.root());
      if (aggregator != null) {
        aggregator.retracted(r.id, p.index(), p.root());
      }
    }
    LOG.info("vital: rollup {}: a proposal was removed by an L1 reorg ({})", r.id, log.key());
  }

  private Optional<byte[]> postedRoot(long rollupId, BigInteger index) {
    Rollup r = rollups.get(rollupId);
    if (r == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(r.posted.get(index)).map(Proposal::root);
  }

  // ---------------------------------------------------------------- checking and signing

  private void processPending(Rollup r) {
    Iterator<Proposal> it = r.pending.values().iterator();
    while (it.hasNext()) {
      Proposal p = it.next();
      Duration age = Duration.between(p.discoveredAt(), clock.instant());
      OutputChecker.Check c;
      Duration lifetime = config.recheckFor();
      if (r.zk()) {
        ZkBatch b = r.zkBatches.get(p.index());
        if (b == null) {
          it.remove();
          continue;
        }
        c =
            r.zkChecker.check(
                b,
                r.zkProofs.getOrDefault(p.index(), List.of()),
                age.compareTo(config.proofDeadline()) > 0);
        if (config.proofDeadline().compareTo(lifetime) > 0) {
          lifetime = config.proofDeadline();
        }
      } else {
        c = r.checker.check(p.l2BlockNumber(), p.root());
      }
      if (c.verdict() == OutputChecker.Verdict.ABSTAIN) {
        boolean expired = age.compareTo(lifetime) > 0;
        if (c.retryable() && !expired) {
          continue; // asked again next poll
        }
        it.remove();
        abstain(r, p, c.reason());
        continue;
      }
      it.remove();
      outputsChecked.inc();
      sign(r, p, c);
    }
  }

  /**
   * Submits, as an aggregator, each kept verdict that a proof this node verified contradicts
   * ({@link ZkEvidence}): first as an {@code eth_call} (a proof counts once its batch is verified
   * on L1, so the call is retried until then), then as a transaction. The aggregator of record for
   * the commitment submits at once, the others after the submit grace.
   */
  private void submitZkEvidence() {
    for (ZkEvidence.Candidate c : zkEvidence.candidates()) {
      String key = c.key();
      long now = clock.millis();
      long first = zkEvidenceSeen.computeIfAbsent(key, k -> now);
      if (first == now) {
        zkEvidenceCount.labels("seen").inc();
        LOG.warn(
            "vital: a verdict on commitment {} of rollup {} is contradicted by the proof of"
                + " commitment {}: {}",
            c.verdict().message().outputIndex(),
            c.verdict().message().rollupId(),
            c.provenCommitment(),
            c.verdict());
      }
      boolean record = config.isRecordFor(c.verdict().message().outputIndex().longValue());
      if (!record && now - first < config.submitGrace().toMillis()) {
        continue;
      }
      Long tried = zkEvidenceTried.get(key);
      if (tried != null && now - tried < ZK_EVIDENCE_RETRY_MILLIS) {
        continue;
      }
      zkEvidenceTried.put(key, now);
      if (context.transactions().isEmpty() || !zkEvidenceInFlight.add(key)) {
        continue;
      }
      submitter.execute(
          () -> {
            try {
              submitZkEvidence(c);
            } finally {
              zkEvidenceInFlight.remove(key);
            }
          });
    }
  }

  /** How often a candidate the coordinator does not take yet is tried again. */
  private static final long ZK_EVIDENCE_RETRY_MILLIS = 2_000;

  /**
   * How long it is tried: its proof counts once the batch before it is verified on L1, which a live
   * rollup does within minutes.
   */
  private static final long ZK_EVIDENCE_TRY_FOR_MILLIS = 15 * 60_000;

  private final Map<String, Long> zkEvidenceTried = new java.util.concurrent.ConcurrentHashMap<>();

  private void submitZkEvidence(ZkEvidence.Candidate c) {
    OutputVerdict v = c.verdict().message();
    try {
      if (contracts.zkEvidenceUsed(c.verdict().operator(), v)) {
        zkEvidenceCount.labels("already_used").inc();
        zkEvidence.done(c);
        return;
      }
      org.avsnode.operator.chain.TxRequest tx =
          contracts.slashZkVerdict(
              c.verdict().operator(),
              v,
              org.avsnode.bls.BlsSignature.fromBytes(c.verdict().signature()).toEip2537(),
              c.provenCommitment(),
              c.proof());
      Optional<String> why = contracts.wouldRevert(tx);
      if (why.isPresent()) {
        // most likely the batch before it is not verified on L1 yet: tried again, for a while
        Long first = zkEvidenceSeen.get(c.key());
        if (first != null && clock.millis() - first < ZK_EVIDENCE_TRY_FOR_MILLIS) {
          LOG.debug("vital: ZK verdict evidence {} not taken yet: {}", c.key(), why.get());
          return;
        }
        zkEvidenceCount.labels("refused").inc();
        zkEvidence.done(c);
        LOG.info(
            "vital: ZK verdict evidence {} refused by the coordinator: {}", c.key(), why.get());
        return;
      }
      var sender = context.transactions().get();
      var r = sender.await(sender.submit(tx));
      zkEvidenceCount.labels(r.success() ? "slashed" : "reverted").inc();
      zkEvidence.done(c);
      LOG.warn(
          "vital: ZK verdict evidence against {} {} in {}",
          c.key(),
          r.success() ? "slashed" : "reverted",
          r.transactionHash());
      events.onZkEvidence(c.verdict(), c.provenCommitment(), r.success());
    } catch (L1Exception | org.avsnode.bls.BlsException e) {
      LOG.info("vital: ZK verdict evidence {} not submitted yet: {}", c.key(), e.getMessage());
    }
  }

  private void abstain(Rollup r, Proposal p, String reason) {
    verdicts.labels("abstain").inc();
    lastAbstain = "output " + p.index() + " of rollup " + r.id + ": " + reason;
    r.decided.put(p.index(), new Local(p, OutputChecker.Verdict.ABSTAIN, reason));
    LOG.warn("vital: ABSTAIN on output {} of rollup {}: {}", p.index(), r.id, reason);
    events.onVerdict(r.id, p.index(), "ABSTAIN", reason, millisSince(p));
  }

  private void sign(Rollup r, Proposal p, OutputChecker.Check c) {
    boolean valid = c.verdict() == OutputChecker.Verdict.VALID;
    OutputVerdict v =
        new OutputVerdict(r.id, p.index(), p.root(), valid, p.l1BlockNumber() / epochLength);
    SigningResult s = signer.sign(v);
    if (!s.isSigned()) {
      verdicts.labels("refused").inc();
      LOG.warn(
          "vital: slashing protection refused the verdict on output {}: {}", p.index(), s.detail());
      return;
    }
    verdicts.labels(valid ? "valid" : "invalid").inc();
    if (valid && r.zk()) {
      ZkBatch b = r.zkBatches.get(p.index());
      r.zkChecker.verifiedProof(p.index()).ifPresent(proof -> zkEvidence.proven(r.id, b, proof));
    }
    verdictLatency.observe(millisSince(p) / 1000.0);
    r.decided.put(p.index(), new Local(p, c.verdict(), c.reason()));
    lastAbstain = null; // checking works again
    compareWithQuorum(r, p.index());
    if (valid) {
      LOG.debug("vital: VALID on output {} of rollup {}", p.index(), r.id);
    } else {
      LOG.info("vital: INVALID on output {} of rollup {}: {}", p.index(), r.id, c.reason());
    }
    events.onVerdict(r.id, p.index(), c.verdict().name(), c.reason(), millisSince(p));
    SignedMessage<OutputVerdict> signed = new SignedMessage<>(v, operator, s.signature().toBytes());
    events.onSigned(signed);
    sender.send(signed);
  }

  private long millisSince(Proposal p) {
    return Duration.between(p.discoveredAt(), clock.instant()).toMillis();
  }

  // ---------------------------------------------------------------- the quorum's records on L1

  private void pollQuorumQuietly() {
    try {
      synchronized (unresolvedQuorum) {
        unresolvedQuorum.removeIf(this::recordQuorum);
      }
      quorumLog.poll();
    } catch (L1Exception e) {
      LOG.debug("vital: verdict oracle logs: {}", e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("vital: verdict oracle logs: unexpected failure", e);
    }
  }

  /**
   * Records an {@code OutputInvalidated}/{@code OutputValidated} log under its output's L2 block.
   *
   * @return false when that block cannot be read now (L1 unavailable): retried on the next poll
   */
  private boolean recordQuorum(LogSubscription.LogEvent log) {
    if (log.topics().size() < 3) {
      return true; // not one of ours: nothing to retry
    }
    long rollupId;
    BigInteger index;
    try {
      rollupId = new BigInteger(1, Hex.fromHex(log.topics().get(1))).longValueExact();
      index = new BigInteger(1, Hex.fromHex(log.topics().get(2)));
    } catch (ArithmeticException | IllegalArgumentException | org.avsnode.bls.BlsException e) {
      LOG.warn("vital: a verdict oracle log with malformed topics: {}", log.key());
      return true;
    }
    Rollup r = rollups.get(rollupId);
    if (r == null) {
      return true; // a rollup this node does not check
    }
    boolean invalid = VitalContracts.OUTPUT_INVALIDATED_TOPIC.equalsIgnoreCase(log.topics().get(0));
    long block;
    Proposal p = r.posted.get(index);
    if (p != null) {
      block = p.l2BlockNumber();
    } else {
      try {
        l1Calls.inc();
        block = contracts.postedL2Block(rollupId, index);
      } catch (L1Exception e) {
        return false;
      }
    }
    r.quorumLogs.put(log.key(), block);
    OutputVerdicts.Invalidated invalidated = null;
    if (invalid) {
      String data = log.data() == null ? "" : log.data();
      try {
        if (data.length() >= 66) {
          invalidated =
              new OutputVerdicts.Invalidated(index, block, Hex.fromHex(data.substring(0, 66)));
        }
      } catch (org.avsnode.bls.BlsException e) {
        // no root to match attestations against; the invalidation still counts
      }
    }
    QuorumRecord record = new QuorumRecord(invalid, invalidated);
    if (r.zk()) {
      // a batch withdrawn and committed again: the latest commitment of the blocks stands for them
      r.quorumLogIndex.put(log.key(), index);
      r.quorumByIndex.put(index, record);
      boolean latest =
          r.quorumByIndex.tailMap(index, false).keySet().stream()
              .map(r.zkBatches::get)
              .noneMatch(b -> b != null && b.lastBlock() == block);
      if (latest) {
        r.quorum.put(block, record);
      }
    } else {
      // an invalidation wins over a validation recorded for the same output (ConflictingVerdicts
      // keeps the first on L1; this only matters for what MACH refuses, so be conservative)
      r.quorum.merge(block, record, (a, b) -> a.invalid() ? a : b);
    }
    compareWithQuorum(r, index);
    if (invalid) {
      LOG.info(
          "vital: the quorum invalidated output {} of rollup {} (L2 block {}) on L1",
          index,
          rollupId,
          block);
    }
    return true;
  }

  /**
   * Whether the quorum's record of an output on L1 contradicts this node's signed verdict on it:
   * then this node's L2 node (or its own state) disagrees with the other operators', which an
   * operator must look at. Counted, logged, and the duty is degraded until a later output's record
   * agrees with this node again.
   */
  private void compareWithQuorum(Rollup r, BigInteger index) {
    Local local = r.decided.get(index);
    if (local == null || local.verdict() == OutputChecker.Verdict.ABSTAIN) {
      return;
    }
    QuorumRecord q =
        r.zk() ? r.quorumByIndex.get(index) : r.quorum.get(local.proposal().l2BlockNumber());
    if (q == null) {
      return;
    }
    boolean localInvalid = local.verdict() == OutputChecker.Verdict.INVALID;
    Disagreement d = disagreement;
    if (localInvalid == q.invalid()) {
      if (d != null && d.rollupId() == r.id && d.index().compareTo(index) < 0) {
        disagreement = null;
      }
      return;
    }
    disagreements.inc();
    String text =
        String.format(
            "the quorum recorded output %s of rollup %d as %s on L1; this node found it %s%s: check"
                + " its L2 node",
            index,
            r.id,
            q.invalid() ? "INVALID" : "VALID",
            localInvalid ? "INVALID" : "VALID",
            local.reason() == null || local.reason().isEmpty() ? "" : " (" + local.reason() + ")");
    LOG.warn("vital: {}", text);
    context
        .ports()
        .get(org.avsnode.operator.spi.ActivityFeed.class)
        .ifPresent(
            f ->
                f.publish(
                    ID,
                    "disagreement",
                    r.id,
                    "output #" + index,
                    "the quorum disagrees with this node",
                    null,
                    text,
                    "alert"));
    if (d == null || d.rollupId() != r.id || d.index().compareTo(index) <= 0) {
      disagreement = new Disagreement(r.id, index, text);
    }
  }

  // ---------------------------------------------------------------- MACH's port

  @Override
  public Verdict verdictFor(long rollupId, long l2BlockNumber) {
    Rollup r = rollups.get(rollupId);
    if (r == null) {
      return Verdict.UNKNOWN;
    }
    Verdict state = Verdict.UNKNOWN;
    for (Local l : r.decided.values()) {
      if (l.proposal().l2BlockNumber() > l2BlockNumber) {
        break;
      }
      if (l.verdict() == OutputChecker.Verdict.INVALID) {
        state = Verdict.INVALID;
      } else if (l.verdict() == OutputChecker.Verdict.VALID) {
        state = Verdict.VALID;
      }
    }
    return state;
  }

  @Override
  public Verdict quorumVerdictFor(long rollupId, long l2BlockNumber) {
    Rollup r = rollups.get(rollupId);
    if (r == null) {
      return Verdict.UNKNOWN;
    }
    Map.Entry<Long, QuorumRecord> latest = r.quorum.floorEntry(l2BlockNumber);
    if (latest == null) {
      return Verdict.UNKNOWN;
    }
    return latest.getValue().invalid() ? Verdict.INVALID : Verdict.VALID;
  }

  /**
   * The highest L2 block of rollup {@code sequencedAs} that the node's sequencing duty (SQUAD)
   * holds final; {@code Long.MAX_VALUE} when no duty sequences it (only the finality depth
   * applies). Asked at every check: SQUAD may start after VITAL.
   */
  private long sequencedFinal(long sequencedAs) {
    java.util.OptionalLong v =
        context
            .ports()
            .get(org.avsnode.operator.spi.SequencedFinality.class)
            .map(p -> p.finalL2Block(sequencedAs))
            .orElse(java.util.OptionalLong.empty());
    return v.isPresent() ? v.getAsLong() : Long.MAX_VALUE;
  }

  @Override
  public Optional<OutputVerdicts.Invalidated> invalidatedAt(long rollupId, long l2BlockNumber) {
    Rollup r = rollups.get(rollupId);
    return Optional.ofNullable(r == null ? null : r.quorum.get(l2BlockNumber))
        .map(QuorumRecord::invalidated);
  }

  // ---------------------------------------------------------------- health and stop

  @Override
  public Health health() {
    List<String> problems = new ArrayList<>();
    Instant polled = lastPoll;
    if (polled == null
        || Duration.between(polled, clock.instant())
                .compareTo(config.pollInterval().multipliedBy(20).plusSeconds(10))
            > 0) {
      problems.add("L1 logs not polled recently" + (lastError == null ? "" : ": " + lastError));
    }
    String a = lastAbstain;
    if (a != null) {
      problems.add("last ABSTAIN: " + a);
    }
    Disagreement d = disagreement;
    if (d != null) {
      problems.add(d.text());
    }
    MessageSender s = sender;
    if (s != null && s.rejectedSinceAccepted() >= 5) {
      problems.add("the aggregators rejected the last " + s.rejectedSinceAccepted() + " verdicts");
    }
    return problems.isEmpty() ? Health.up() : Health.partial(String.join("; ", problems));
  }

  @Override
  public synchronized void stop() {
    if (scheduler != null) {
      // let a poll that is writing the log cursor finish it, then interrupt what is left
      scheduler.shutdown();
      try {
        if (!scheduler.awaitTermination(2, TimeUnit.SECONDS)) {
          scheduler.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        scheduler.shutdownNow();
      }
    }
    if (submitter != null) {
      submitter.shutdownNow();
    }
    if (aggregator != null) {
      aggregator.close();
    }
  }
}
