package org.avsnode.mach;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import org.avsnode.bls.BlsException;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.certificate.Certificate;
import org.avsnode.certificate.OperatorSetSnapshot;
import org.avsnode.mach.chain.MachContracts;
import org.avsnode.operator.chain.L1Exception;
import org.avsnode.operator.chain.TransactionSender;
import org.avsnode.operator.chain.TxReceipt;
import org.avsnode.operator.metrics.Counter;
import org.avsnode.operator.metrics.Histogram;
import org.avsnode.operator.metrics.Labelled;
import org.avsnode.operator.metrics.MetricCategory;
import org.avsnode.operator.metrics.MetricsSystem;
import org.avsnode.operator.quorum.Aggregator;
import org.avsnode.operator.quorum.AggregatorConfig;
import org.avsnode.operator.quorum.AggregatorListener;
import org.avsnode.operator.quorum.EpochAggregators;
import org.avsnode.operator.quorum.EquivocationEvidence;
import org.avsnode.operator.quorum.IntakeEndpoint;
import org.avsnode.operator.quorum.IntakeResult;
import org.avsnode.operator.quorum.PublishedCertificate;
import org.avsnode.operator.quorum.RejectReason;
import org.avsnode.operator.quorum.SignedMessage;
import org.avsnode.operator.spi.EventStreamHandler;
import org.avsnode.operator.spi.HttpRoutes;
import org.avsnode.operator.spi.HttpStatusException;
import org.avsnode.operator.spi.RouteRequest;
import org.avsnode.operator.spi.RouteResponse;
import org.avsnode.operator.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregator role: attestation intake (only registered operators of the epoch count), one
 * {@link Aggregator} per stake epoch over the registry's {@code operatorSetAt}, certificates kept
 * in a {@link CertificateStore} and served over REST, submission to the finality oracle and
 * equivocation evidence to the slashing coordinator.
 *
 * <p>Several aggregators may run. Each height has one aggregator of record ({@link
 * MachConfig#isRecordFor}): it submits once the collection window closed. The others wait {@link
 * MachConfig#submitGrace()} more and submit only if the oracle still has nothing for the height; a
 * duplicate that races through anyway returns false on chain and is counted. Evidence works the
 * same way, and the contract accepts each piece of evidence once.
 *
 * <p>Cadence ({@link MachConfig#periodic()}): rather than every height, the latest certified height
 * is submitted once {@link MachConfig#submitEveryL1Blocks()} L1 blocks have passed since the
 * oracle's last finalization of the rollup; the aggregator of record for that due block submits at
 * once, the others after the grace period if the oracle has still not moved. A consumer's {@code
 * FinalityRequested} event on the oracle makes the requested height's certificate go out at once
 * (by the per-height rule of record), or as soon as it is certified.
 */
public final class AggregatorRole implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AggregatorRole.class);
  static final MetricCategory CATEGORY = MetricCategory.of("avs", "mach");
  private static final int MAX_EPOCHS = 3;

  private final MachConfig config;
  private final MachContracts contracts;
  private final Eip712Domain domain;
  private final Optional<TransactionSender> sender;
  private final MachEvents events;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService submitter;
  private final CertificateStore store;
  private final BlockClock blockClock;
  private final RateLimiter rateLimiter;
  private final java.util.function.Supplier<Optional<org.avsnode.operator.spi.OutputVerdicts>>
      vital;
  private final Counter certified;
  private final LongSupplier currentEpoch;
  private final int thresholdBps;

  private final EpochAggregators<FinalityAttestation> epochs;
  private final Set<String> evidenceSeen = ConcurrentHashMap.newKeySet();
  private final Set<String> submitted = ConcurrentHashMap.newKeySet();

  /**
   * A lower bound of each rollup's next due L1 block (due only moves forward), so the oracle is
   * read only once the L1 head reaches it.
   */
  private final Map<Long, Long> dueAtLeast = new ConcurrentHashMap<>();

  /** A lower bound of each rollup's newest finalized height on L1. */
  private final Map<Long, Long> finalizedAtLeast = new ConcurrentHashMap<>();

  /** Rollups with a periodic submission scheduled or running. */
  private final Set<Long> periodicBusy = ConcurrentHashMap.newKeySet();

  /** Requested heights not certified yet, by rollup. */
  private final Map<Long, java.util.NavigableSet<Long>> requested = new ConcurrentHashMap<>();

  /** The last L1 block scanned for FinalityRequested (-1: none yet). */
  private volatile long requestsScannedTo = -1;

  private final java.util.concurrent.atomic.AtomicBoolean cadenceQueued =
      new java.util.concurrent.atomic.AtomicBoolean();
  private volatile boolean closed;

  private final Labelled<Counter> intake;
  private final Labelled<Counter> submissions;
  private final Labelled<Counter> evidence;
  private final Labelled<Counter> requests;
  private final Labelled<Counter> tables;
  private final Counter certificates;
  private final Labelled<org.avsnode.operator.metrics.Gauge> certifiedBlock;
  private final java.util.Map<Long, Long> highestCertified =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Histogram latency;

  public AggregatorRole(
      MachConfig config,
      MachContracts contracts,
      Eip712Domain domain,
      Optional<TransactionSender> sender,
      MachEvents events,
      Clock clock,
      ScheduledExecutorService scheduler,
      ExecutorService submitter,
      CertificateStore store,
      BlockClock blockClock,
      LongSupplier currentEpoch,
      long maxEpochAge,
      int onChainThresholdBps,
      MetricsSystem metrics,
      java.util.function.Supplier<Optional<org.avsnode.operator.spi.OutputVerdicts>> vital) {
    this.config = Objects.requireNonNull(config, "config");
    this.contracts = Objects.requireNonNull(contracts, "contracts");
    this.domain = Objects.requireNonNull(domain, "domain");
    this.sender = Objects.requireNonNull(sender, "sender");
    this.events = Objects.requireNonNull(events, "events");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.submitter = Objects.requireNonNull(submitter, "submitter");
    this.store = Objects.requireNonNull(store, "store");
    this.blockClock = Objects.requireNonNull(blockClock, "blockClock");
    this.rateLimiter = new RateLimiter(clock);
    this.vital = Objects.requireNonNull(vital, "vital");
    this.currentEpoch = Objects.requireNonNull(currentEpoch, "currentEpoch");
    // never make certificates the oracle would reject
    this.thresholdBps = Math.max(config.thresholdBps(), onChainThresholdBps);
    this.epochs =
        new EpochAggregators<>(
            currentEpoch, maxEpochAge, contracts::operatorSetAt, MAX_EPOCHS, this::newAggregator);
    this.intake =
        metrics.counter(
            CATEGORY,
            "attestations_received_total",
            "Attestations received by the aggregator, by outcome (queued: admitted, not yet part"
                + " of a verified aggregate)",
            "outcome");
    this.certified =
        metrics
            .counter(
                CATEGORY,
                "attestations_certified_total",
                "Attestations that are part of a verified aggregate (a first certificate)")
            .labels();
    this.submissions =
        metrics.counter(
            CATEGORY,
            "certificate_submissions_total",
            "Certificate submissions to the finality oracle, by outcome",
            "outcome");
    this.evidence =
        metrics.counter(
            CATEGORY,
            "equivocation_evidence_total",
            "Equivocation evidence seen and submitted, by outcome",
            "outcome");
    this.requests =
        metrics.counter(
            CATEGORY,
            "finality_requests_total",
            "FinalityRequested events seen on the oracle, by outcome (served: its certificate was"
                + " submitted or was final already; unavailable: no certificate for the height)",
            "outcome");
    this.tables =
        metrics.counter(
            CATEGORY,
            "operator_table_publications_total",
            "AvsRegistry.publishOperatorTable sent by this aggregator at the start of an epoch"
                + " whose operator set had no table, by outcome",
            "outcome");
    this.certificates =
        metrics
            .counter(CATEGORY, "certificates_total", "Certificates published by this aggregator")
            .labels();
    this.certifiedBlock =
        metrics.gauge(
            CATEGORY,
            "certified_block",
            "Highest L2 block this aggregator published a certificate for, by rollup (the"
                + " attested_block of the operators minus this: the aggregator's lag)",
            "rollup");
    this.latency =
        metrics
            .histogram(
                CATEGORY,
                "certificate_latency_seconds",
                "Time from an L2 block's arrival to its first certificate",
                MetricsSystem.DURATION_BUCKETS)
            .labels();
  }

  public int thresholdBps() {
    return thresholdBps;
  }

  public CertificateStore store() {
    return store;
  }

  /** Mounts the intake, the certificate endpoints and the certificate stream. */
  public void install(HttpRoutes routes) {
    routes.post(MachDuty.ATTESTATION_PATH, config.maxAttestationBytes(), this::handleIntake);
    routes.get("/v1/finality/{rollupId}/{which}", this::handleCertificate);
    routes.stream("/v1/finality/{rollupId}/stream", this::openCertificateStream);
  }

  /**
   * {@code GET /v1/finality/{rollupId}/stream}: server-sent events, one {@code certificate} event
   * (id = the L2 block number, data = the certificate JSON of DESIGN.md §5) per certificate this
   * aggregator publishes for the rollup, improved ones included; the latest one first, if any.
   */
  private AutoCloseable openCertificateStream(RouteRequest req, EventStreamHandler.EventSink sink) {
    long rollup = number(req.pathParam("rollupId"), "rollupId");
    store.latest(rollup).ifPresent(e -> sendCertificate(sink, e.certificate()));
    Runnable unsubscribe =
        store.subscribe(
            e -> {
              if (e.certificate().finalityAttestation().rollupId() == rollup) {
                sendCertificate(sink, e.certificate());
              }
            });
    return unsubscribe::run;
  }

  private static void sendCertificate(EventStreamHandler.EventSink sink, Certificate c) {
    sink.send("certificate", Long.toString(c.finalityAttestation().l2BlockNumber()), c.toJson());
  }

  // ---------------------------------------------------------------- intake

  private RouteResponse handleIntake(RouteRequest req) {
    return IntakeEndpoint.handle(req, FinalityAttestation.class, this::submit, intake);
  }

  /**
   * Reads the operator set of the current epoch now, in the background, so the first attestations
   * of the epoch do not wait for the registry (the first certificate's latency otherwise includes
   * that L1 read). Failures are left to the first attestation to report.
   */
  public void prefetchCurrentEpoch() {
    try {
      submitter.execute(
          () -> {
            try {
              epochs.forEpoch(currentEpoch.getAsLong());
            } catch (RuntimeException e) {
              LOG.debug("prefetching the operator set failed: {}", e.toString());
            }
          });
    } catch (RejectedExecutionException e) {
      // stopping
    }
  }

  /** Blocks ahead of this node's own L2 head that an attestation may name. */
  static final long WINDOW_AHEAD = 64;

  /** Blocks behind this node's own L2 head that an attestation may name. */
  static final long WINDOW_BEHIND = 512;

  /**
   * Admits an attestation into the aggregator of its epoch. Never throws for input. Cheap checks
   * first: the height must lie in a window around this node's own L2 head (so pending state is
   * bounded by the window, not by what senders invent), and each operator has a rate budget.
   */
  public IntakeResult submit(SignedMessage<FinalityAttestation> a) {
    if (closed) {
      return IntakeResult.rejected(RejectReason.CLOSED, "the aggregator role is stopped");
    }
    FinalityAttestation m = a.message();
    Optional<IntakeResult> outside = outsideWindow(blockClock.head(m.rollupId()), m);
    if (outside.isPresent()) {
      return outside.get();
    }
    if (!rateLimiter.tryAcquire(java.nio.ByteBuffer.wrap(a.operator()))) {
      return IntakeResult.rejected(
          RejectReason.RATE_LIMITED,
          "more than " + RateLimiter.PER_SECOND + " attestations per second from this operator");
    }
    Optional<org.avsnode.operator.spi.OutputVerdicts> v = vital.get();
    if (v.isPresent()
        && v.get().quorumVerdictFor(m.rollupId(), m.l2BlockNumber())
            == org.avsnode.operator.spi.OutputVerdicts.Verdict.INVALID) {
      // DESIGN.md §7: never finalize what VITAL's quorum rejected; and an attestation vouching for
      // the very root the quorum invalidated is slashable (§4)
      v.get()
          .invalidatedAt(m.rollupId(), m.l2BlockNumber())
          .filter(inv -> java.util.Arrays.equals(inv.outputRoot(), m.outputRoot()))
          .ifPresent(inv -> offerInvalidOutputEvidence(a, inv.outputIndex()));
      return IntakeResult.rejected(
          RejectReason.INVALIDATED_OUTPUT,
          "block "
              + m.l2BlockNumber()
              + " of rollup "
              + m.rollupId()
              + " lies at or beyond an output the VITAL quorum invalidated on L1");
    }
    return epochs.submit(a, a.message().stakeEpoch());
  }

  /** A rejection when the attestation's block is outside the window around {@code head}. */
  static Optional<IntakeResult> outsideWindow(java.util.OptionalLong head, FinalityAttestation m) {
    if (head.isEmpty()) {
      // a state of this aggregator (just started, or its L2 node failing), not of the message:
      // 503, so the sender offers it again
      return Optional.of(
          IntakeResult.rejected(
              RejectReason.CLOSED,
              "this aggregator has no L2 head of rollup "
                  + m.rollupId()
                  + " yet (not following it yet); try again"));
    }
    long h = head.getAsLong();
    if (m.l2BlockNumber() > h + WINDOW_AHEAD || m.l2BlockNumber() < h - WINDOW_BEHIND) {
      return Optional.of(
          IntakeResult.rejected(
              RejectReason.OUT_OF_WINDOW,
              "block "
                  + m.l2BlockNumber()
                  + " is outside ["
                  + Math.max(0, h - WINDOW_BEHIND)
                  + ", "
                  + (h + WINDOW_AHEAD)
                  + "] around this aggregator's L2 head "
                  + h));
    }
    return Optional.empty();
  }

  private Aggregator<FinalityAttestation> newAggregator(long epoch, OperatorSetSnapshot snapshot) {
    AggregatorConfig ac =
        AggregatorConfig.defaults()
            .withThresholdBps(thresholdBps)
            .withCollectionWindow(config.collectionWindow());
    if (config.submit() && sender.isPresent()) {
      boolean record =
          Long.remainderUnsigned(epoch, config.aggregatorCount()) == config.aggregatorRank();
      schedule(record ? Duration.ZERO : config.submitGrace(), this::publishOperatorTableIfMissing);
    }
    LOG.info(
        "aggregating epoch {}: {} operators, total stake {}, threshold {} bps",
        epoch,
        snapshot.size(),
        snapshot.totalStake(),
        thresholdBps);
    return new Aggregator<>(
        snapshot,
        domain,
        ac,
        new Listener(snapshot),
        clock,
        Scheduler.of(scheduler),
        Runnable::run);
  }

  private final class Listener implements AggregatorListener<FinalityAttestation> {
    private final OperatorSetSnapshot snapshot;

    Listener(OperatorSetSnapshot snapshot) {
      this.snapshot = snapshot;
    }

    @Override
    public void onCertificate(PublishedCertificate pc) {
      Certificate c = pc.certificate();
      if (!pc.improvement()) {
        certified.inc(
            org.avsnode.certificate.SignerBitmap.fromBytes(c.signers(), snapshot.size())
                .signers()
                .length);
      }
      store.put(c, snapshot);
      long rollup = c.finalityAttestation().rollupId();
      long height = c.finalityAttestation().l2BlockNumber();
      Instant start = pc.firstAttestationAt();
      Duration sinceTs = null;
      Optional<BlockClock.Seen> seen = blockClock.get(rollup, height);
      if (seen.isPresent()) {
        if (seen.get().arrivedAt().isBefore(start)) {
          start = seen.get().arrivedAt();
        }
        sinceTs =
            Duration.between(Instant.ofEpochSecond(seen.get().l2Timestamp()), pc.publishedAt());
      }
      Duration sinceBlock = Duration.between(start, pc.publishedAt());
      if (!pc.improvement()) {
        certificates.inc();
        if (highestCertified.merge(rollup, height, Math::max) == height) {
          certifiedBlock.labels(Long.toString(rollup)).set(height);
        }
        latency.observe(sinceBlock.toNanos() / 1e9);
        if (config.submit() && sender.isPresent() && config.periodic()) {
          queueCadenceCheck();
        } else if (config.submit() && sender.isPresent()) {
          boolean record = config.isRecordFor(height);
          Duration delay = submitDelay(record);
          schedule(delay, () -> submitBest(rollup, height, record));
        }
      }
      events.onCertificate(pc, sinceBlock, sinceTs);
    }

    @Override
    public void onEquivocation(EquivocationEvidence<FinalityAttestation> e) {
      handleEvidence(e);
    }
  }

  /**
   * When a submission goes out: after the certificate's collection window (it may still improve),
   * plus the grace period for an aggregator that is not of record.
   */
  private Duration submitDelay(boolean record) {
    return config
        .collectionWindow()
        .plusMillis(50)
        .plus(record ? Duration.ZERO : config.submitGrace());
  }

  private void schedule(Duration delay, Runnable task) {
    Scheduler.later(scheduler, submitter, delay, task);
  }

  // ---------------------------------------------------------------- submission

  /** Attempts at a submission that failed for a transient L1 reason (RPC down, bad answer). */
  static final int SUBMIT_ATTEMPTS = 6;

  /** Times a finalization that vanished from L1 (an L1 reorg) is submitted again. */
  static final int REORG_RESUBMITS = 2;

  private void submitBest(long rollup, long height, boolean record) {
    if (!submitted.add(rollup + "/" + height)) {
      return;
    }
    submitAttempt(rollup, height, record, 1, 0);
  }

  /**
   * One attempt at submitting the best certificate of a height. A transient failure (the endpoint
   * unavailable, an answer that is not JSON-RPC, no receipt in time) is retried with a doubling
   * delay, up to {@link #SUBMIT_ATTEMPTS}; a revert is not. A retry, and the aggregator that is not
   * of record, first asks the oracle whether the height is final already. A submission that was
   * mined is checked again after {@link #confirmDelay()}: if an L1 reorg took it away, it is
   * submitted again (at most {@link #REORG_RESUBMITS} times).
   */
  private void submitAttempt(long rollup, long height, boolean record, int attempt, int reorgs) {
    if (closed) {
      return;
    }
    Optional<CertificateStore.Entry> best = store.get(rollup, height);
    if (best.isEmpty()) {
      return;
    }
    Certificate c = best.get().certificate();
    try {
      if ((!record || attempt > 1 || reorgs > 0) && contracts.isFinalized(rollup, height)) {
        submissions.labels("skipped_final").inc();
        return;
      }
      TransactionSender.Pending p =
          sender.orElseThrow().submit(contracts.submitCertificate(c, best.get().snapshot()));
      TxReceipt receipt = sender.orElseThrow().await(p);
      if (!receipt.success()) {
        submissions.labels("reverted").inc();
        events.onSubmissionFailed(c, "reverted in " + receipt.transactionHash());
        return;
      }
      boolean accepted = contracts.finalizedBy(receipt.transactionHash());
      submissions.labels(accepted ? "accepted" : "duplicate").inc();
      events.onSubmitted(c, receipt.transactionHash(), receipt.gasUsed(), accepted, record);
      if (accepted && reorgs < REORG_RESUBMITS) {
        schedule(confirmDelay(), () -> confirm(rollup, height, record, reorgs));
      }
    } catch (L1Exception e) {
      if (closed) {
        return; // stopping: the receipt wait was interrupted
      }
      boolean transient_ =
          e.kind() == L1Exception.Kind.UNAVAILABLE
              || e.kind() == L1Exception.Kind.MALFORMED
              || e.kind() == L1Exception.Kind.TX_TIMEOUT
              || e.kind() == L1Exception.Kind.HTTP_ERROR;
      if (transient_ && attempt < SUBMIT_ATTEMPTS) {
        Duration delay = Duration.ofSeconds(1L << (attempt - 1));
        submissions.labels("retried").inc();
        LOG.info(
            "submitting the certificate of {}/{} failed (attempt {} of {}): {}; again in {} s",
            rollup,
            height,
            attempt,
            SUBMIT_ATTEMPTS,
            e.getMessage(),
            delay.toSeconds());
        schedule(delay, () -> submitAttempt(rollup, height, record, attempt + 1, reorgs));
        return;
      }
      submissions.labels("failed").inc();
      LOG.warn(
          "submitting the certificate of {}/{} failed after {} attempt(s): {}",
          rollup,
          height,
          attempt,
          e.getMessage());
      events.onSubmissionFailed(c, e.getMessage());
    } catch (RuntimeException e) {
      submissions.labels("failed").inc();
      LOG.error("submitting the certificate of {}/{} failed", rollup, height, e);
      events.onSubmissionFailed(c, e.toString());
    }
  }

  /** How long after a mined submission the aggregator checks that it is still on L1. */
  private Duration confirmDelay() {
    return config.submitGrace().multipliedBy(2).plusSeconds(2);
  }

  private void confirm(long rollup, long height, boolean record, int reorgs) {
    if (closed) {
      return;
    }
    try {
      if (contracts.isFinalized(rollup, height)) {
        return;
      }
    } catch (L1Exception e) {
      schedule(confirmDelay(), () -> confirm(rollup, height, record, reorgs));
      return;
    }
    submissions.labels("reorged").inc();
    LOG.warn(
        "the finalization of {}/{} is no longer on L1 (an L1 reorg dropped it): submitting again",
        rollup,
        height);
    submitAttempt(rollup, height, record, 1, reorgs + 1);
  }

  /**
   * Publishes the operator set's table when its latest snapshot has none (after a change of the
   * set), so this and every later certificate verifies at the table's cost. Racing aggregators: the
   * second one's gas estimate reverts with TableAlreadyPublished and nothing is sent.
   */
  private void publishOperatorTableIfMissing() {
    if (closed) {
      return;
    }
    try {
      if (!contracts.operatorTableMissing()) {
        return;
      }
      TxReceipt r =
          sender.orElseThrow().await(sender.orElseThrow().submit(contracts.publishOperatorTable()));
      tables.labels(r.success() ? "published" : "reverted").inc();
      LOG.info(
          "operator table of set {} {} in {} (gas {})",
          contracts.operatorSetId(),
          r.success() ? "published" : "NOT published (reverted)",
          r.transactionHash(),
          r.gasUsed());
    } catch (L1Exception e) {
      tables.labels("failed").inc();
      LOG.info("operator table not published: {}", e.getMessage());
    } catch (RuntimeException e) {
      tables.labels("failed").inc();
      LOG.warn("operator table not published", e);
    }
  }

  // ---------------------------------------------------------------- cadence

  /** Requests per rollup kept while their height is not certified yet. */
  static final int MAX_PENDING_REQUESTS = 256;

  /** L1 blocks one eth_getLogs scan of FinalityRequested covers at most. */
  static final long MAX_LOG_RANGE = 1_000;

  /** How often the cadence is checked when no certificate arrives (an L2 that stopped). */
  static final Duration CADENCE_TICK = Duration.ofSeconds(2);

  /**
   * Checks the cadence and the consumers' requests every {@link #CADENCE_TICK} as well, not only
   * after each new certificate: when the L2 stops producing blocks, its last certified block still
   * goes to L1 when its turn comes, and a request is still served.
   */
  public void startCadence() {
    if (!config.submit() || sender.isEmpty() || !config.periodic()) {
      return;
    }
    scheduler.scheduleWithFixedDelay(
        () -> {
          if (!closed) {
            queueCadenceCheck();
          }
        },
        CADENCE_TICK.toMillis(),
        CADENCE_TICK.toMillis(),
        java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Runs {@link #cadenceCheck()} on the submitter, at most one queued at a time. */
  private void queueCadenceCheck() {
    if (!cadenceQueued.compareAndSet(false, true)) {
      return;
    }
    try {
      submitter.execute(
          () -> {
            cadenceQueued.set(false);
            cadenceCheck();
          });
    } catch (RejectedExecutionException e) {
      cadenceQueued.set(false); // stopping
    }
  }

  /**
   * After each new certificate: serve the consumers' requests, then start the periodic submission
   * of each rollup whose turn has come. L1 failures leave it to the next certificate.
   */
  private void cadenceCheck() {
    if (closed) {
      return;
    }
    try {
      long l1 = contracts.l1BlockNumber();
      if (config.submitOnRequest()) {
        scanRequests(l1);
      }
      for (long rollup : highestCertified.keySet()) {
        serveRequests(rollup);
        periodic(rollup, l1);
      }
    } catch (L1Exception e) {
      LOG.debug("cadence check: {}", e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("cadence check failed", e);
    }
  }

  private void scanRequests(long l1) {
    long from = requestsScannedTo < 0 ? Math.max(0, l1 - 64) : requestsScannedTo + 1;
    if (from > l1) {
      return;
    }
    long to = Math.min(l1, from + MAX_LOG_RANGE - 1);
    for (MachContracts.FinalityRequest r : contracts.finalityRequests(from, to)) {
      if (!config.rollups().containsKey(r.rollupId())) {
        continue;
      }
      java.util.NavigableSet<Long> set =
          requested.computeIfAbsent(
              r.rollupId(), k -> new java.util.concurrent.ConcurrentSkipListSet<>());
      if (set.size() >= MAX_PENDING_REQUESTS) {
        requests.labels("dropped").inc();
        continue;
      }
      set.add(r.l2BlockNumber());
      requests.labels("seen").inc();
    }
    requestsScannedTo = to;
  }

  private void serveRequests(long rollup) {
    java.util.NavigableSet<Long> set = requested.get(rollup);
    if (set == null || set.isEmpty()) {
      return;
    }
    long highest = highestCertified.getOrDefault(rollup, -1L);
    for (Long h : List.copyOf(set)) {
      if (store.get(rollup, h).isPresent()) {
        set.remove(h);
        requests.labels("served").inc();
        if (contracts.isFinalized(rollup, h)) {
          continue; // final already: nothing to send
        }
        boolean record = config.isRecordFor(h);
        schedule(submitDelay(record), () -> submitBest(rollup, h, record));
      } else if (h <= highest) {
        // certified heights past it exist but not this one: older than the store keeps, or
        // never certified here
        set.remove(h);
        requests.labels("unavailable").inc();
        LOG.info(
            "finality of {}/{} was requested on L1, but this aggregator holds no certificate for"
                + " it",
            rollup,
            h);
      }
    }
  }

  /**
   * Starts the periodic submission of {@code rollup} when its turn has come: {@code
   * submitEveryL1Blocks} after the L1 block that recorded the oracle's latest finalization.
   */
  private void periodic(long rollup, long l1) {
    if (periodicBusy.contains(rollup)) {
      return;
    }
    long every = config.submitEveryL1Blocks();
    long highest = highestCertified.getOrDefault(rollup, -1L);
    if (l1 < dueAtLeast.getOrDefault(rollup, 0L)
        || highest <= finalizedAtLeast.getOrDefault(rollup, -1L)) {
      return; // not due yet, or nothing certified past what is final
    }
    Optional<MachContracts.LatestFinalized> last = contracts.latestFinalized(rollup);
    long due = last.map(f -> f.l1BlockNumber() + every).orElse(0L);
    dueAtLeast.put(rollup, due);
    last.ifPresent(f -> finalizedAtLeast.merge(rollup, f.l2BlockNumber(), Math::max));
    if (l1 < due || (last.isPresent() && last.get().l2BlockNumber() >= highest)) {
      return;
    }
    if (!periodicBusy.add(rollup)) {
      return;
    }
    boolean record = config.isRecordForDue(due);
    schedule(
        submitDelay(record),
        () -> {
          try {
            submitPeriodic(rollup, due, record);
          } finally {
            periodicBusy.remove(rollup);
          }
        });
  }

  private void submitPeriodic(long rollup, long due, boolean record) {
    if (closed) {
      return;
    }
    long height = highestCertified.getOrDefault(rollup, -1L);
    if (height < 0) {
      return;
    }
    try {
      Optional<MachContracts.LatestFinalized> last = contracts.latestFinalized(rollup);
      if (last.isPresent()
          && (last.get().l2BlockNumber() >= height
              || last.get().l1BlockNumber() + config.submitEveryL1Blocks() > due)) {
        // another aggregator made this round's submission
        submissions.labels("skipped_final").inc();
        return;
      }
    } catch (L1Exception e) {
      LOG.debug("periodic submission of {}: {}", rollup, e.getMessage());
      return; // the next certificate tries again
    }
    if (!submitted.add(rollup + "/" + height)) {
      return;
    }
    submitAttempt(rollup, height, record, 1, 0);
  }

  // ---------------------------------------------------------------- evidence

  private void handleEvidence(EquivocationEvidence<FinalityAttestation> e) {
    String key =
        MachContracts.hex(e.operator())
            + "/"
            + e.first().rollupId()
            + "/"
            + e.first().l2BlockNumber();
    if (!evidenceSeen.add(key)) {
      return;
    }
    evidence.labels("seen").inc();
    LOG.warn("equivocation: {}", e);
    events.onEquivocation(e);
    if (sender.isEmpty()) {
      return;
    }
    boolean record = config.isRecordFor(e.first().l2BlockNumber());
    schedule(record ? Duration.ZERO : config.submitGrace(), () -> submitEvidence(e, record));
  }

  private void submitEvidence(EquivocationEvidence<FinalityAttestation> e, boolean record) {
    if (closed) {
      return;
    }
    try {
      if (contracts.evidenceUsed(e.operator(), e.first().rollupId(), e.first().l2BlockNumber())) {
        evidence.labels("already_used").inc();
        if (!record) {
          return;
        }
        events.onEvidenceSubmitted(e, null, false, "evidence already used on chain");
        return;
      }
      byte[] sigA = BlsSignature.fromBytes(e.firstSignature()).toEip2537();
      byte[] sigB = BlsSignature.fromBytes(e.secondSignature()).toEip2537();
      TransactionSender.Pending p =
          sender
              .orElseThrow()
              .submit(
                  contracts.slashMachEquivocation(e.operator(), e.first(), sigA, e.second(), sigB));
      TxReceipt r = sender.orElseThrow().await(p);
      evidence.labels(r.success() ? "slashed" : "reverted").inc();
      events.onEvidenceSubmitted(
          e, r.transactionHash(), r.success(), r.success() ? "slashed" : "reverted");
    } catch (L1Exception | BlsException ex) {
      // a racing aggregator's evidence landed first: the gas estimate reverts with
      // EvidenceAlreadyUsed
      evidence.labels("failed").inc();
      LOG.info(
          "evidence against {} not submitted: {}",
          MachContracts.hex(e.operator()),
          ex.getMessage());
      events.onEvidenceSubmitted(e, null, false, ex.getMessage());
    }
  }

  /**
   * An attestation naming the exact output the VITAL quorum invalidated: checked against the
   * operator's registered key (never submit what the contract would reject for its signature), then
   * submitted to the slashing coordinator once.
   */
  private void offerInvalidOutputEvidence(
      SignedMessage<FinalityAttestation> a, java.math.BigInteger outputIndex) {
    FinalityAttestation m = a.message();
    String key = MachContracts.hex(a.operator()) + "/" + m.rollupId() + "/output/" + outputIndex;
    if (closed || !evidenceSeen.add(key)) {
      return;
    }
    boolean verified;
    try {
      OperatorSetSnapshot snapshot = epochs.forEpoch(m.stakeEpoch()).snapshot();
      Optional<Integer> pos = snapshot.positionOf(a.operator());
      verified =
          pos.isPresent()
              && org.avsnode.bls.Bls.verify(
                  snapshot.operator(pos.get()).publicKey(),
                  m.digest(domain),
                  BlsSignature.fromBytes(a.signature()));
    } catch (RuntimeException e) {
      // the epoch's operator set cannot be read now, or the signature does not decode
      verified = false;
    }
    if (!verified) {
      evidenceSeen.remove(key);
      evidence.labels("invalid_output_unverified").inc();
      return;
    }
    evidence.labels("invalid_output_seen").inc();
    LOG.warn(
        "operator {} attested to output {} of rollup {} (L2 block {}), which the VITAL quorum"
            + " invalidated",
        MachContracts.hex(a.operator()),
        outputIndex,
        m.rollupId(),
        m.l2BlockNumber());
    if (sender.isEmpty()) {
      return;
    }
    boolean record = config.isRecordFor(m.l2BlockNumber());
    schedule(
        record ? Duration.ZERO : config.submitGrace(),
        () -> submitInvalidOutputEvidence(a, outputIndex));
  }

  private void submitInvalidOutputEvidence(
      SignedMessage<FinalityAttestation> a, java.math.BigInteger outputIndex) {
    if (closed) {
      return;
    }
    FinalityAttestation m = a.message();
    try {
      if (contracts.invalidOutputEvidenceUsed(a.operator(), m.rollupId(), outputIndex)) {
        evidence.labels("already_used").inc();
        return;
      }
      TransactionSender.Pending p =
          sender
              .orElseThrow()
              .submit(
                  contracts.slashMachInvalidOutput(
                      a.operator(),
                      m,
                      BlsSignature.fromBytes(a.signature()).toEip2537(),
                      outputIndex));
      TxReceipt r = sender.orElseThrow().await(p);
      evidence.labels(r.success() ? "slashed" : "reverted").inc();
      events.onInvalidOutputEvidence(
          a.operator(),
          m,
          outputIndex,
          r.transactionHash(),
          r.success(),
          r.success() ? "slashed" : "reverted");
    } catch (L1Exception | BlsException ex) {
      evidence.labels("failed").inc();
      LOG.info(
          "evidence against {} (invalidated output {}) not submitted: {}",
          MachContracts.hex(a.operator()),
          outputIndex,
          ex.getMessage());
      events.onInvalidOutputEvidence(a.operator(), m, outputIndex, null, false, ex.getMessage());
    }
  }

  // ---------------------------------------------------------------- serving

  private RouteResponse handleCertificate(RouteRequest req) {
    long rollup = number(req.pathParam("rollupId"), "rollupId");
    String which = req.pathParam("which");
    Optional<CertificateStore.Entry> e;
    if (which.equals("latest")) {
      e = store.latest(rollup);
    } else {
      e = store.get(rollup, number(which, "l2BlockNumber"));
    }
    if (e.isEmpty()) {
      throw HttpStatusException.notFound("no certificate for rollup " + rollup + " " + which);
    }
    return new RouteResponse(
        200,
        RouteResponse.APPLICATION_JSON,
        e.get().certificate().toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8),
        Map.of());
  }

  private static long number(String s, String what) {
    try {
      long v = Long.parseLong(s);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw HttpStatusException.badRequest(what + " must be a non-negative integer");
    }
  }

  /** The aggregators currently held, by epoch (for tests and benchmarks). */
  public List<Aggregator<FinalityAttestation>> aggregators() {
    return epochs.all();
  }

  @Override
  public void close() {
    closed = true;
    epochs.close();
  }
}
