package org.avsnode.vital;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.OutputVerdict;
import org.avsnode.certificate.Certificate;
import org.avsnode.certificate.OperatorSetSnapshot;
import org.avsnode.operator.chain.L1Exception;
import org.avsnode.operator.chain.TransactionSender;
import org.avsnode.operator.chain.TxReceipt;
import org.avsnode.operator.metrics.Counter;
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
import org.avsnode.operator.spi.HttpRoutes;
import org.avsnode.operator.spi.RouteRequest;
import org.avsnode.operator.spi.RouteResponse;
import org.avsnode.operator.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * VITAL's aggregator role: verdict intake (only for outputs this node has seen posted on L1, so
 * what a sender can make it hold is bounded by real proposals), one shared {@link Aggregator} per
 * stake epoch, and submission of each verdict certificate to the verdict oracle: at once by the
 * aggregator of record for the output index, after the grace by the others if it is still not on
 * L1; transient L1 failures retried.
 */
final class VerdictAggregator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VerdictAggregator.class);
  static final MetricCategory CATEGORY = MetricCategory.of("avs", "vital");
  static final String PATH = "/v1/vital/verdicts";
  private static final int MAX_EPOCHS = 3;
  private static final int SUBMIT_ATTEMPTS = 6;

  /** What this node saw posted: (rollup, index) → root. */
  interface KnownOutputs {
    Optional<byte[]> postedRoot(long rollupId, BigInteger index);
  }

  private final VitalConfig config;
  private final VitalContracts contracts;
  private final Eip712Domain domain;
  private final Optional<TransactionSender> sender;
  private final KnownOutputs known;
  private final VitalEvents events;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService submitter;
  private final int thresholdBps;
  private final EpochAggregators<OutputVerdict> epochs;
  private final Set<String> submitted = ConcurrentHashMap.newKeySet();

  /** The latest certificate made per "rollup/index" (at most {@link #KEEP} outputs). */
  private final Map<String, Certificate> made =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Certificate> e) {
              return size() > KEEP;
            }
          });

  private static final int KEEP = 4096;
  private final Labelled<Counter> intake;
  private final Labelled<Counter> submissions;
  private final Counter certificates;
  private final Counter withdrawn;
  private final Labelled<Counter> evidence;
  private final Set<String> evidenceSubmitted = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  VerdictAggregator(
      VitalConfig config,
      VitalContracts contracts,
      Eip712Domain domain,
      Optional<TransactionSender> sender,
      KnownOutputs known,
      VitalEvents events,
      Clock clock,
      ScheduledExecutorService scheduler,
      ExecutorService submitter,
      MetricsSystem metrics) {
    this.config = Objects.requireNonNull(config, "config");
    this.contracts = Objects.requireNonNull(contracts, "contracts");
    this.domain = Objects.requireNonNull(domain, "domain");
    this.sender = Objects.requireNonNull(sender, "sender");
    this.known = Objects.requireNonNull(known, "known");
    this.events = Objects.requireNonNull(events, "events");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.submitter = Objects.requireNonNull(submitter, "submitter");
    this.thresholdBps = Math.max(config.thresholdBps(), contracts.registry().thresholdBps());
    this.epochs =
        new EpochAggregators<>(
            contracts.registry()::currentEpoch,
            contracts.registry().maxEpochAge(),
            contracts.registry()::operatorSetAt,
            MAX_EPOCHS,
            this::newAggregator);
    this.intake =
        metrics.counter(
            CATEGORY,
            "verdicts_received_total",
            "Verdicts received by the aggregator, by outcome",
            "outcome");
    this.submissions =
        metrics.counter(
            CATEGORY,
            "certificate_submissions_total",
            "Verdict certificate submissions to the verdict oracle, by outcome",
            "outcome");
    this.evidence =
        metrics.counter(
            CATEGORY,
            "contradiction_evidence_total",
            "Contradicting verdicts seen and submitted as evidence, by outcome",
            "outcome");
    this.withdrawn =
        metrics
            .counter(
                CATEGORY,
                "verdicts_withdrawn_total",
                "Uncertified verdicts withdrawn because an L1 reorg removed their proposal")
            .labels();
    this.certificates =
        metrics
            .counter(CATEGORY, "certificates_total", "Verdict certificates this aggregator made")
            .labels();
  }

  void install(HttpRoutes routes) {
    routes.post(PATH, config.maxVerdictBytes(), this::handleIntake);
    routes.get("/v1/vital/certificates/{rollupId}/{outputIndex}", this::handleCertificate);
  }

  /**
   * {@code GET /v1/vital/certificates/{rollupId}/{outputIndex}}: the verdict certificate this
   * aggregator made for the output (the §5 envelope with an OutputVerdict message), 404 if none.
   */
  private RouteResponse handleCertificate(RouteRequest req) {
    String key;
    try {
      BigInteger index = new BigInteger(req.pathParam("outputIndex"));
      if (index.signum() < 0) {
        throw new NumberFormatException();
      }
      key = Long.parseUnsignedLong(req.pathParam("rollupId")) + "/" + index;
    } catch (NumberFormatException e) {
      throw org.avsnode.operator.spi.HttpStatusException.badRequest(
          "rollupId and outputIndex must be non-negative integers");
    }
    Certificate c = made.get(key);
    if (c == null) {
      throw org.avsnode.operator.spi.HttpStatusException.notFound(
          "no verdict certificate for output " + key);
    }
    return new RouteResponse(
        200,
        RouteResponse.APPLICATION_JSON,
        c.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8),
        Map.of());
  }

  private RouteResponse handleIntake(RouteRequest req) {
    return IntakeEndpoint.handle(req, OutputVerdict.class, this::submit, intake);
  }

  /** Admits a verdict; never throws for input. */
  IntakeResult submit(SignedMessage<OutputVerdict> v) {
    if (closed) {
      return IntakeResult.rejected(RejectReason.CLOSED, "the aggregator role is stopped");
    }
    OutputVerdict m = v.message();
    Optional<byte[]> posted = known.postedRoot(m.rollupId(), m.outputIndex());
    if (posted.isEmpty()) {
      // not seen on L1 by this node (yet): a state of this aggregator, so 503 and the sender
      // retries
      return IntakeResult.rejected(
          RejectReason.CLOSED,
          "output " + m.outputIndex() + " of rollup " + m.rollupId() + " is not known here yet");
    }
    if (!java.util.Arrays.equals(posted.get(), m.outputRoot())) {
      return IntakeResult.rejected(
          RejectReason.OUT_OF_WINDOW,
          "the verdict names another root than the one posted at output " + m.outputIndex());
    }
    admitted.accept(v);
    return epochs.submit(v, m.stakeEpoch());
  }

  private volatile java.util.function.Consumer<SignedMessage<OutputVerdict>> admitted = v -> {};

  /** Sees every verdict that names a posted output and root, before it is aggregated. */
  void onAdmitted(java.util.function.Consumer<SignedMessage<OutputVerdict>> observer) {
    this.admitted = Objects.requireNonNull(observer, "observer");
  }

  /**
   * The proposal of output {@code index} with {@code root} was removed by an L1 reorg: verdicts on
   * it that are not certified yet are withdrawn (the senders send them again if the proposal comes
   * back); a certificate already made is held back from L1 until the proposal is seen again.
   */
  void retracted(long rollupId, BigInteger index, byte[] root) {
    int n = 0;
    for (Aggregator<OutputVerdict> a : epochs.all()) {
      n += a.withdraw(new OutputVerdict(rollupId, index, root, false, a.stakeEpoch()));
    }
    if (n > 0) {
      withdrawn.inc(n);
      LOG.info(
          "vital: {} verdict(s) on output {} of rollup {} withdrawn (its proposal was reorged out)",
          n,
          index,
          rollupId);
    }
  }

  /** A proposal was (re)discovered: a certificate held back for it while it was gone is sent. */
  void proposalSeen(long rollupId, BigInteger index, byte[] root) {
    Parked p = parked.remove(rollupId + "/" + index);
    if (p == null) {
      return;
    }
    OutputVerdict v = (OutputVerdict) p.certificate().message();
    if (java.util.Arrays.equals(v.outputRoot(), root)) {
      schedule(Duration.ZERO, () -> submit(p.certificate(), p.epoch(), p.record(), p.attempt()));
    } else {
      submissions.labels("dropped_reorged").inc();
    }
  }

  /** A certificate whose proposal is not on this node's L1 view right now. */
  private record Parked(Certificate certificate, long epoch, boolean record, int attempt) {}

  private final Map<String, Parked> parked = new ConcurrentHashMap<>();

  private Aggregator<OutputVerdict> newAggregator(long epoch, OperatorSetSnapshot snapshot) {
    return new Aggregator<>(
        snapshot,
        domain,
        AggregatorConfig.defaults()
            .withThresholdBps(thresholdBps)
            .withCollectionWindow(config.collectionWindow()),
        new Listener(epoch),
        clock,
        Scheduler.of(scheduler),
        Runnable::run);
  }

  private final class Listener implements AggregatorListener<OutputVerdict> {
    private final long epoch;

    Listener(long epoch) {
      this.epoch = epoch;
    }

    @Override
    public void onEquivocation(EquivocationEvidence<OutputVerdict> e) {
      // the aggregator's conflict scope is (rollup, index, root); only opposite verdicts are the
      // slashable contradiction (two VALIDs under different epochs are not)
      if (e.first().valid() == e.second().valid()) {
        return;
      }
      evidence.labels("seen").inc();
      LOG.warn("vital: contradicting verdicts: {}", e);
      boolean record = config.isRecordFor(e.first().outputIndex().longValue());
      schedule(record ? Duration.ZERO : config.submitGrace(), () -> submitEvidence(e));
    }

    @Override
    public void onCertificate(PublishedCertificate pc) {
      Certificate c = pc.certificate();
      OutputVerdict v = (OutputVerdict) c.message();
      made.put(v.rollupId() + "/" + v.outputIndex(), c);
      if (pc.improvement()) {
        return;
      }
      certificates.inc();
      events.onCertificate(c);
      boolean record = config.isRecordFor(v.outputIndex().longValue());
      Duration delay =
          config
              .collectionWindow()
              .plusMillis(50)
              .plus(record ? Duration.ZERO : config.submitGrace());
      schedule(delay, () -> submit(c, epoch, record, 1));
    }
  }

  private void schedule(Duration delay, Runnable task) {
    Scheduler.later(scheduler, submitter, delay, task);
  }

  private void submit(Certificate c, long epoch, boolean record, int attempt) {
    OutputVerdict v = (OutputVerdict) c.message();
    String key = v.rollupId() + "/" + v.outputIndex() + "/" + v.valid();
    if (closed || sender.isEmpty() || (attempt == 1 && !submitted.add(key))) {
      return;
    }
    Optional<OperatorSetSnapshot> snapshot = epochs.snapshot(epoch);
    if (snapshot.isEmpty()) {
      return;
    }
    Optional<byte[]> posted = known.postedRoot(v.rollupId(), v.outputIndex());
    if (posted.isEmpty() || !java.util.Arrays.equals(posted.get(), v.outputRoot())) {
      // reorged out since it was certified: held until the proposal is seen again
      submissions.labels("held_reorged").inc();
      submitted.remove(key);
      parked.put(v.rollupId() + "/" + v.outputIndex(), new Parked(c, epoch, record, attempt));
      Optional<byte[]> again = known.postedRoot(v.rollupId(), v.outputIndex());
      if (again.isPresent()) {
        proposalSeen(v.rollupId(), v.outputIndex(), again.get()); // seen again meanwhile
      }
      return;
    }
    try {
      if ((!record || attempt > 1) && contracts.isRecorded(v)) {
        submissions.labels("skipped_recorded").inc();
        return;
      }
      TransactionSender.Pending p =
          sender.get().submit(contracts.submitVerdictCertificate(c, snapshot.get()));
      TxReceipt r = sender.get().await(p);
      if (!r.success()) {
        submissions.labels("reverted").inc();
        LOG.warn("verdict certificate {} reverted in {}", key, r.transactionHash());
        return;
      }
      boolean recorded = contracts.recordedBy(r.transactionHash());
      submissions.labels(recorded ? "recorded" : "duplicate").inc();
      events.onSubmitted(c, r.transactionHash(), r.gasUsed(), recorded);
    } catch (L1Exception e) {
      if (closed) {
        return;
      }
      boolean transient_ =
          e.kind() != L1Exception.Kind.RPC_ERROR && e.kind() != L1Exception.Kind.WRONG_CHAIN;
      if (transient_ && attempt < SUBMIT_ATTEMPTS) {
        submissions.labels("retried").inc();
        schedule(
            Duration.ofSeconds(1L << (attempt - 1)), () -> submit(c, epoch, record, attempt + 1));
        return;
      }
      submissions.labels("failed").inc();
      LOG.warn("submitting the verdict certificate {} failed: {}", key, e.getMessage());
    }
  }

  private void submitEvidence(EquivocationEvidence<OutputVerdict> e) {
    String key =
        org.avsnode.bls.Hex.toHexPrefixed(e.operator())
            + "/"
            + e.first().rollupId()
            + "/"
            + e.first().outputIndex();
    if (closed || sender.isEmpty() || !evidenceSubmitted.add(key)) {
      return;
    }
    try {
      if (contracts.contradictionUsed(e.operator(), e.first())) {
        evidence.labels("already_used").inc();
        return;
      }
      TransactionSender.Pending p =
          sender
              .get()
              .submit(
                  contracts.slashVitalContradiction(
                      e.operator(),
                      e.first(),
                      org.avsnode.bls.BlsSignature.fromBytes(e.firstSignature()).toEip2537(),
                      e.second(),
                      org.avsnode.bls.BlsSignature.fromBytes(e.secondSignature()).toEip2537()));
      TxReceipt r = sender.get().await(p);
      evidence.labels(r.success() ? "slashed" : "reverted").inc();
      LOG.warn(
          "vital: contradiction evidence against {} {} in {}",
          key,
          r.success() ? "slashed" : "reverted",
          r.transactionHash());
    } catch (L1Exception | org.avsnode.bls.BlsException ex) {
      evidence.labels("failed").inc();
      LOG.info("vital: contradiction evidence {} not submitted: {}", key, ex.getMessage());
    }
  }

  @Override
  public void close() {
    closed = true;
    epochs.close();
  }
}
