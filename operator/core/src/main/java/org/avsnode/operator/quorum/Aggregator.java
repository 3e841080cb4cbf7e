package org.avsnode.operator.quorum;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsException;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.Hex;
import org.avsnode.bls.OptimisticAggregator;
import org.avsnode.bls.eip712.Eip712;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.TypedMessage;
import org.avsnode.certificate.Certificate;
import org.avsnode.certificate.MessageTypes;
import org.avsnode.certificate.OperatorSetSnapshot;
import org.avsnode.certificate.SignerBitmap;
import org.avsnode.operator.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aggregates signed messages of one certifiable type (FinalityAttestation, OutputVerdict,
 * SlotAttestation) of one operator set at one stake epoch into quorum certificates (DESIGN.md §5,
 * §7). MACH uses it for finality certificates; VITAL and SQUAD for verdict and slot certificates.
 *
 * <p>Intake: an attestation counts only if its sender is an active operator of the snapshot, it
 * names the snapshot's epoch, and its signature's encoding is a point on the curve (checked at
 * intake, outside the lock, so several threads decode in parallel — see {@link #submitAsync}). The
 * G2 subgroup check is deferred: {@link OptimisticAggregator#aggregateEncoded} makes it once, on
 * the aggregate that goes into a certificate (and checks the signatures one by one only if that
 * fails), and a single-signature check makes it with the full decoding. Messages are grouped per
 * conflict scope ({@link MessageTypes#conflictScope}: a block, an output, a slot) — a "height" —
 * and per digest.
 *
 * <p>Certification: as soon as one digest's admitted stake reaches the threshold, its signatures
 * are aggregated optimistically (one pairing check; on failure bisection finds the invalid ones,
 * which are dropped and reported as {@link RejectReason#BAD_SIGNATURE}); if the valid stake still
 * reaches the threshold a certificate is published. The height keeps collecting for {@link
 * AggregatorConfig#collectionWindow()}; at the window's end, if the signer set changed, an improved
 * certificate is published. Then the height is closed: later attestations are {@link
 * RejectReason#STALE}, though a conflicting one is still checked for equivocation.
 *
 * <p>Equivocation: an operator with two different valid attestations for one height produces one
 * {@link EquivocationEvidence}; its attestations for that height stop counting.
 *
 * <p>Memory is bounded by {@link AggregatorConfig#maxTrackedHeights()} heights of at most {@link
 * AggregatorConfig#maxPendingPerHeight()} attestations each (and at most one per operator).
 * Thread-safe.
 */
public final class Aggregator<M extends TypedMessage> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Aggregator.class);
  private static final BigInteger BPS = BigInteger.valueOf(10_000);
  private static final byte[] EIP712_PREFIX = {0x19, 0x01};

  private final OperatorSetSnapshot snapshot;
  private final Eip712Domain domain;
  private final AggregatorConfig config;
  private final AggregatorListener<M> listener;
  private final Clock clock;
  private final Scheduler scheduler;
  private final Executor decodeExecutor;
  private final BigInteger thresholdTimesTotal;
  private final byte[] domainSeparator;
  private final Map<RejectReason, LongAdder> rejections = new EnumMap<>(RejectReason.class);
  private final LongAdder accepted = new LongAdder();
  private final LongAdder certificates = new LongAdder();

  private final Object lock = new Object();
  // insertion order = age, for eviction
  private final LinkedHashMap<HeightKey, Height> heights = new LinkedHashMap<>();
  // per (type, rollup): the highest certified height that was evicted; at or below it all is stale
  private final Map<RollupKey, BigInteger> evictedCertified = new HashMap<>();
  private boolean closed;

  /**
   * @param decodeExecutor where {@link #submitAsync} decodes signatures (a small pool, e.g. one
   *     thread per core)
   */
  public Aggregator(
      OperatorSetSnapshot snapshot,
      Eip712Domain domain,
      AggregatorConfig config,
      AggregatorListener<M> listener,
      Clock clock,
      Scheduler scheduler,
      Executor decodeExecutor) {
    this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
    this.domain = Objects.requireNonNull(domain, "domain");
    this.config = Objects.requireNonNull(config, "config");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.decodeExecutor = Objects.requireNonNull(decodeExecutor, "decodeExecutor");
    if (snapshot.totalStake().signum() == 0) {
      throw new IllegalArgumentException("the operator set holds no stake");
    }
    this.domainSeparator = domain.separator();
    this.thresholdTimesTotal =
        BigInteger.valueOf(config.thresholdBps()).multiply(snapshot.totalStake());
    for (RejectReason r : RejectReason.values()) {
      rejections.put(r, new LongAdder());
    }
  }

  public OperatorSetSnapshot snapshot() {
    return snapshot;
  }

  public long stakeEpoch() {
    return snapshot.stakeEpoch();
  }

  // ---------------------------------------------------------------- intake

  /** Checks, decodes and admits an attestation on the calling thread. Never throws for input. */
  public IntakeResult submit(SignedMessage<M> attestation) {
    Objects.requireNonNull(attestation, "attestation");
    List<Runnable> events = new ArrayList<>(2);
    IntakeResult result;
    Object decoded = decode(attestation);
    if (decoded instanceof IntakeResult rejected) {
      result = rejected;
      rejections.get(rejected.reason().orElseThrow()).increment();
      events.add(rejectedEvent(attestation, rejected));
    } else {
      Pending pending = (Pending) decoded;
      Admission ad;
      Entry checked = null;
      boolean checkedValid = false;
      while (true) {
        ad = new Admission();
        synchronized (lock) {
          if (checked != null) {
            // a held entry's verdict, computed outside the lock in the previous round
            checked.verified = checkedValid;
            checked.invalid = !checkedValid;
          }
          result = admit(pending, events, ad);
        }
        if (!ad.verifyPending && ad.verifyEntry == null) {
          break;
        }
        // Single-signature checks (a pairing each) run outside the lock; then admit again.
        if (ad.verifyPending) {
          pending.valid = verify(pending.op.publicKey(), pending.digest, pending.signature);
        }
        checked = ad.verifyEntry;
        if (checked != null) {
          checkedValid = verify(checked.operator.publicKey(), checked.digest, checked.signature);
        }
      }
      if (ad.trigger != null) {
        runCertification(ad.trigger.height, ad.trigger.group, false, events);
      }
    }
    dispatch(events);
    return result;
  }

  /** What one admission round decided or needs. */
  private static final class Admission {
    Trigger trigger;
    boolean verifyPending;
    Entry verifyEntry;

    IntakeResult needs(boolean pending, Entry entry) {
      verifyPending = pending;
      verifyEntry = entry;
      return null;
    }
  }

  /** A group whose stake reached the threshold, to be aggregated outside the lock. */
  private record Trigger(Height height, Group group) {}

  /** {@link #submit} on the decode executor: signature decoding runs in parallel there. */
  public CompletableFuture<IntakeResult> submitAsync(SignedMessage<M> attestation) {
    Objects.requireNonNull(attestation, "attestation");
    try {
      return CompletableFuture.supplyAsync(() -> submit(attestation), decodeExecutor);
    } catch (RejectedExecutionException e) {
      IntakeResult r = IntakeResult.rejected(RejectReason.CLOSED, "the decode executor refused it");
      rejections.get(RejectReason.CLOSED).increment();
      dispatch(List.of(rejectedEvent(attestation, r)));
      return CompletableFuture.completedFuture(r);
    }
  }

  /**
   * The cheap checks and the signature's encoding and curve check: no lock held. The G2 subgroup
   * check is deferred to the aggregate ({@link OptimisticAggregator#aggregateEncoded}: once per
   * certificate instead of once per attestation) or to a single-signature check.
   */
  private Object decode(SignedMessage<M> a) {
    M m = a.message();
    Optional<Integer> position = snapshot.positionOf(a.operator());
    if (position.isEmpty()) {
      return IntakeResult.rejected(
          RejectReason.UNKNOWN_OPERATOR,
          "operator " + Hex.toHexPrefixed(a.operator()) + " is not in the operator set");
    }
    OperatorSetSnapshot.Operator op = snapshot.operator(position.get());
    if (!op.active()) {
      return IntakeResult.rejected(
          RejectReason.INACTIVE_OPERATOR,
          "operator "
              + Hex.toHexPrefixed(a.operator())
              + " is not active at epoch "
              + snapshot.stakeEpoch());
    }
    MessageTypes.Type type = MessageTypes.of(m);
    java.util.OptionalLong epoch = type.stakeEpoch(m);
    if (epoch.isEmpty() || epoch.getAsLong() != snapshot.stakeEpoch()) {
      return IntakeResult.rejected(
          RejectReason.WRONG_EPOCH,
          (epoch.isEmpty()
                  ? type.name() + " names no stake epoch"
                  : "stakeEpoch " + epoch.getAsLong())
              + " but this aggregator is for "
              + snapshot.stakeEpoch());
    }
    byte[] signature = a.signature();
    boolean infinity;
    try {
      infinity = BlsSignature.checkEncodingOnCurve(signature);
    } catch (BlsException e) {
      return IntakeResult.rejected(RejectReason.MALFORMED_SIGNATURE, e.getMessage());
    }
    signature = signature.clone();
    if (infinity) {
      return IntakeResult.rejected(
          RejectReason.MALFORMED_SIGNATURE, "signature is the point at infinity");
    }
    // m.digest(domain), with the domain separator computed once per aggregator
    byte[] digest = Eip712.keccak256(EIP712_PREFIX, domainSeparator, m.hashStruct());
    return new Pending(
        a, position.get(), op, digest, signature, new HeightKey(MessageTypes.conflictScope(m)));
  }

  /**
   * Admits a decoded attestation; under the lock. Returns null (and says what in {@code ad}) when a
   * single signature must be verified first: the caller does that outside the lock and calls again.
   */
  /** The messages held here all came in through {@link #submit}, typed {@code M}. */
  @SuppressWarnings("unchecked")
  private SignedMessage<M> typed(SignedMessage<?> s) {
    return (SignedMessage<M>) s;
  }

  private IntakeResult admit(Pending p, List<Runnable> events, Admission ad) {
    SignedMessage<M> a = typed(p.attestation);
    M m = a.message();
    if (closed) {
      return reject(events, a, RejectReason.CLOSED, "the aggregator is closed");
    }
    HeightKey key = p.key;
    MessageTypes.Scope scope = key.scope();
    BigInteger evicted = evictedCertified.get(new RollupKey(scope.type(), scope.rollupId()));
    if (evicted != null && scope.height().compareTo(evicted) <= 0) {
      return reject(
          events,
          a,
          RejectReason.STALE,
          "height " + scope.height() + " is at or below certified height " + evicted);
    }
    Height h = heights.get(key);
    if (h == null) {
      evictIfFull();
      h = new Height(key);
      heights.put(key, h);
    }
    int pos = p.position;
    if (h.equivocators.contains(pos)) {
      return reject(
          events, a, RejectReason.EQUIVOCATION, "operator equivocated at this height already");
    }
    Entry existing = h.byOperator.get(pos);
    if (existing != null) {
      if (Arrays.equals(existing.digest, p.digest)) {
        if (Arrays.equals(existing.signature, p.signature)) {
          return reject(events, a, RejectReason.DUPLICATE, "already have this operator's vote");
        }
        Boolean held = verdict(existing);
        if (held == null) {
          return ad.needs(false, existing);
        }
        if (held) {
          return reject(events, a, RejectReason.DUPLICATE, "already have this operator's vote");
        }
        // The held one was a forgery in this operator's name: the new one replaces it, if valid.
        dropEntry(h, existing, events, "replaced by a later attestation from the same operator");
      } else {
        Boolean held = verdict(existing);
        if (p.valid == null || held == null) {
          return ad.needs(p.valid == null, held == null ? existing : null);
        }
        if (!p.valid) {
          return reject(
              events, a, RejectReason.BAD_SIGNATURE, "conflicting attestation does not verify");
        }
        if (held) {
          h.equivocators.add(pos);
          removeEntry(h, existing);
          EquivocationEvidence<M> evidence =
              new EquivocationEvidence<>(
                  a.operator(),
                  pos,
                  typed(existing.attestation).message(),
                  existing.signature.clone(),
                  m,
                  p.signature.clone());
          events.add(() -> listener.onEquivocation(evidence));
          return reject(
              events,
              a,
              RejectReason.EQUIVOCATION,
              "operator signed two different attestations for this height");
        }
        dropEntry(h, existing, events, "its sender later signed a different, valid attestation");
      }
    }
    if (h.status == Status.CLOSED) {
      return reject(
          events, a, RejectReason.STALE, "height is certified and its collection window closed");
    }
    if (h.suspects.contains(pos)) {
      // this operator's name was attached to a bad signature here: check it alone, not in a batch
      if (p.valid == null) {
        return ad.needs(true, null);
      }
      if (!p.valid) {
        return reject(events, a, RejectReason.BAD_SIGNATURE, "signature does not verify");
      }
    }
    if (h.byOperator.size() >= config.maxPendingPerHeight()) {
      return reject(
          events,
          a,
          RejectReason.CAPACITY,
          "height holds " + config.maxPendingPerHeight() + " attestations already");
    }
    Instant now = clock.instant();
    Entry e = new Entry(a, pos, p.op, p.digest, p.signature, Boolean.TRUE.equals(p.valid));
    h.byOperator.put(pos, e);
    Group g = h.groups.computeIfAbsent(new DigestKey(p.digest), k -> new Group(p.digest, now));
    g.entries.put(pos, e);
    g.stake = g.stake.add(p.op.stake());
    accepted.increment();
    if (h.status == Status.COLLECTING && !g.aggregating && meetsThreshold(g.stake)) {
      g.aggregating = true;
      ad.trigger = new Trigger(h, g);
    }
    return IntakeResult.accepted();
  }

  // ---------------------------------------------------------------- certification

  /**
   * Aggregates a group's signatures optimistically WITHOUT holding the lock (the pairing checks are
   * the expensive part; intake goes on meanwhile), then applies the outcome under the lock: the
   * invalid signatures are dropped and reported, and a certificate is published when the valid
   * stake reaches the threshold (for an improvement: when the signer set differs from the published
   * one). Repeats while the group changed in the meantime in a way that matters. The caller has set
   * {@code group.aggregating}; this clears it.
   */
  private void runCertification(Height h, Group g, boolean improvement, List<Runnable> events) {
    while (true) {
      List<Entry> entries;
      synchronized (lock) {
        if (heights.get(h.key) != h
            || closed
            || (improvement ? h.status != Status.CERTIFIED : h.status != Status.COLLECTING)) {
          g.aggregating = false;
          return;
        }
        entries = new ArrayList<>(g.entries.values()); // ascending position
      }
      OptimisticAggregator.Result r = null;
      if (!entries.isEmpty()) {
        List<BlsPublicKey> keys = new ArrayList<>(entries.size());
        List<byte[]> sigs = new ArrayList<>(entries.size());
        for (Entry e : entries) {
          keys.add(e.operator.publicKey());
          sigs.add(e.signature);
        }
        try {
          // one G2 subgroup check, on the aggregate (the intake checked the curve only)
          r = OptimisticAggregator.aggregateEncoded(g.digest, keys, sigs);
        } catch (RuntimeException e) {
          LOG.error("aggregation for {} failed", h.key, e);
        }
      }
      synchronized (lock) {
        if (closed || heights.get(h.key) != h) {
          g.aggregating = false; // closed or evicted meanwhile: nothing to publish
          return;
        }
        Outcome outcome =
            r == null ? Outcome.NOT_PUBLISHED : apply(h, g, entries, r, improvement, events);
        boolean retry =
            outcome == Outcome.STALE_RESULT
                || (outcome == Outcome.NOT_PUBLISHED
                    && !improvement
                    && h.status == Status.COLLECTING
                    && meetsThreshold(g.stake)
                    && !new HashSet<>(entries).containsAll(g.entries.values()));
        if (retry && heights.get(h.key) == h && !closed) {
          continue;
        }
        g.aggregating = false;
        if (outcome == Outcome.PUBLISHED && !improvement) {
          openWindow(h);
        } else if (improvement && h.status == Status.CERTIFIED) {
          closeHeight(h);
        }
        return;
      }
    }
  }

  private enum Outcome {
    PUBLISHED,
    NOT_PUBLISHED,
    /** An aggregated entry left the group meanwhile (its operator equivocated): aggregate again. */
    STALE_RESULT
  }

  /** Applies an aggregation result; under the lock. */
  private Outcome apply(
      Height h,
      Group g,
      List<Entry> entries,
      OptimisticAggregator.Result r,
      boolean improvement,
      List<Runnable> events) {
    for (int i : r.invalidIndices()) {
      Entry bad = entries.get(i);
      if (g.entries.get(bad.position) != bad) {
        continue; // already gone (replaced or an equivocation)
      }
      removeEntry(h, bad);
      h.suspects.add(bad.position);
      rejections.get(RejectReason.BAD_SIGNATURE).increment();
      events.add(
          rejectedEvent(
              typed(bad.attestation),
              IntakeResult.rejected(
                  RejectReason.BAD_SIGNATURE, "signature failed the aggregate check")));
    }
    if (!r.hasValid()) {
      return Outcome.NOT_PUBLISHED;
    }
    Set<Integer> signers = new HashSet<>();
    BigInteger signed = BigInteger.ZERO;
    boolean stale = false;
    for (int i : r.validIndices()) {
      Entry ok = entries.get(i);
      ok.verified = true;
      if (g.entries.get(ok.position) != ok) {
        stale = true;
      }
      signers.add(ok.position);
      signed = signed.add(ok.operator.stake());
    }
    if (stale) {
      return Outcome.STALE_RESULT;
    }
    if (!meetsThreshold(signed)
        || (improvement ? signers.equals(h.published) : h.status != Status.COLLECTING)) {
      return Outcome.NOT_PUBLISHED;
    }
    Certificate certificate =
        Certificate.builder()
            .message(entries.get(r.validIndices().get(0)).attestation.message())
            .digest(g.digest)
            .operatorSet(snapshot.avs(), snapshot.id())
            .signers(SignerBitmap.of(snapshot.size(), signers))
            .signedStake(signed)
            .totalStake(snapshot.totalStake())
            .thresholdBps(config.thresholdBps())
            .aggregateSignature(r.aggregateSignature().toBytes())
            .aggregateSignatureEip2537(r.aggregateSignature().toEip2537())
            .build();
    h.status = Status.CERTIFIED;
    h.certified = new DigestKey(g.digest);
    h.published = signers;
    certificates.increment();
    PublishedCertificate published =
        new PublishedCertificate(certificate, improvement, g.firstAt, clock.instant());
    events.add(() -> listener.onCertificate(published));
    return Outcome.PUBLISHED;
  }

  private void openWindow(Height h) {
    if (config.collectionWindow().isZero()) {
      closeHeight(h);
      return;
    }
    h.window = scheduler.schedule(config.collectionWindow(), () -> windowEnded(h));
  }

  private void windowEnded(Height h) {
    List<Runnable> events = new ArrayList<>(2);
    Group g;
    synchronized (lock) {
      if (heights.get(h.key) != h || h.status != Status.CERTIFIED) {
        return;
      }
      h.window = null;
      g = h.groups.get(h.certified);
      if (g == null || g.aggregating || g.entries.keySet().equals(h.published)) {
        closeHeight(h);
        return;
      }
      g.aggregating = true;
    }
    runCertification(h, g, true, events);
    dispatch(events);
  }

  private void closeHeight(Height h) {
    h.status = Status.CLOSED;
    h.groups.clear(); // per-operator records stay, for duplicates and equivocation
    h.window = null;
  }

  private boolean meetsThreshold(BigInteger stake) {
    return stake.multiply(BPS).compareTo(thresholdTimesTotal) >= 0;
  }

  // ---------------------------------------------------------------- bookkeeping

  private void evictIfFull() {
    while (heights.size() >= config.maxTrackedHeights()) {
      // the oldest closed height if any, else the oldest height
      Map.Entry<HeightKey, Height> victim = null;
      for (Map.Entry<HeightKey, Height> e : heights.entrySet()) {
        if (victim == null) {
          victim = e;
        }
        if (e.getValue().status == Status.CLOSED) {
          victim = e;
          break;
        }
      }
      Height h = Objects.requireNonNull(victim).getValue();
      heights.remove(victim.getKey());
      if (h.window != null) {
        h.window.cancel();
      }
      if (h.status != Status.COLLECTING) {
        evictedCertified.merge(
            new RollupKey(h.key.scope.type(), h.key.scope.rollupId()),
            h.key.scope.height(),
            BigInteger::max);
      }
    }
  }

  /** True/false when the entry's signature is known valid/invalid, null when unknown. */
  private static Boolean verdict(Entry e) {
    return e.verified ? Boolean.TRUE : e.invalid ? Boolean.FALSE : null;
  }

  /** A single signature's check, with the full decoding (subgroup check included). */
  private static boolean verify(BlsPublicKey key, byte[] digest, byte[] signature) {
    try {
      return Bls.verify(key, digest, BlsSignature.fromBytes(signature));
    } catch (BlsException e) {
      return false; // on the curve (the intake checked) but not in G2
    }
  }

  private void removeEntry(Height h, Entry e) {
    h.byOperator.remove(e.position);
    Group g = h.groups.get(new DigestKey(e.digest));
    if (g != null && g.entries.remove(e.position) != null) {
      g.stake = g.stake.subtract(e.operator.stake());
    }
  }

  private void dropEntry(Height h, Entry e, List<Runnable> events, String why) {
    removeEntry(h, e);
    h.suspects.add(e.position);
    rejections.get(RejectReason.BAD_SIGNATURE).increment();
    events.add(
        rejectedEvent(
            typed(e.attestation),
            IntakeResult.rejected(
                RejectReason.BAD_SIGNATURE, "signature does not verify; " + why)));
  }

  private IntakeResult reject(
      List<Runnable> events, SignedMessage<M> a, RejectReason reason, String detail) {
    IntakeResult r = IntakeResult.rejected(reason, detail);
    rejections.get(reason).increment();
    events.add(rejectedEvent(a, r));
    return r;
  }

  private Runnable rejectedEvent(SignedMessage<M> a, IntakeResult r) {
    return () -> listener.onRejected(a, r.reason().orElseThrow(), r.detail());
  }

  private void dispatch(List<Runnable> events) {
    for (Runnable r : events) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("aggregator listener failed", e);
      }
    }
  }

  // ---------------------------------------------------------------- introspection

  /** How many attestations were rejected for this reason so far. */
  public long rejectedCount(RejectReason reason) {
    return rejections.get(reason).sum();
  }

  /** How many attestations were admitted so far (some may have been dropped later). */
  public long acceptedCount() {
    return accepted.sum();
  }

  /** How many certificates (first and improved) were published. */
  public long certificateCount() {
    return certificates.sum();
  }

  /** The number of heights currently held. */
  public int trackedHeights() {
    synchronized (lock) {
      return heights.size();
    }
  }

  /**
   * Withdraws what was collected for the conflict scope of {@code like} (e.g. a verdict on an
   * output whose proposal an L1 reorg removed), if no certificate was made for it: the height is
   * forgotten, so the same messages are admitted afresh if they are sent again. A certified height
   * is left as it is (its certificate exists already; whoever submits it decides whether it is
   * still wanted).
   *
   * @return the number of messages withdrawn (0 when the scope was certified or unknown)
   */
  public int withdraw(TypedMessage like) {
    HeightKey key = new HeightKey(MessageTypes.conflictScope(like));
    synchronized (lock) {
      Height h = heights.get(key);
      if (h == null || h.status != Status.COLLECTING) {
        return 0;
      }
      heights.remove(key);
      if (h.window != null) {
        h.window.cancel();
      }
      return h.byOperator.size();
    }
  }

  /** Stops intake and cancels open windows (no improved certificates are published after this). */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      for (Height h : heights.values()) {
        if (h.window != null) {
          h.window.cancel();
          h.window = null;
        }
      }
    }
  }

  // ---------------------------------------------------------------- state

  private enum Status {
    COLLECTING,
    CERTIFIED,
    CLOSED
  }

  private record HeightKey(MessageTypes.Scope scope) {}

  private record RollupKey(String type, long rollupId) {}

  private record DigestKey(byte[] digest) {
    @Override
    public boolean equals(Object o) {
      return o instanceof DigestKey k && Arrays.equals(digest, k.digest);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(digest);
    }
  }

  /** A decoded attestation on its way in. */
  private static final class Pending {
    final SignedMessage<?> attestation;
    final int position;
    final OperatorSetSnapshot.Operator op;
    final byte[] digest;

    /** The compressed signature, on the curve; not subgroup-checked yet. */
    final byte[] signature;

    final HeightKey key;
    // the result of a single-signature check, when one was needed; null until then
    Boolean valid;

    Pending(
        SignedMessage<?> attestation,
        int position,
        OperatorSetSnapshot.Operator op,
        byte[] digest,
        byte[] signature,
        HeightKey key) {
      this.attestation = attestation;
      this.position = position;
      this.op = op;
      this.digest = digest;
      this.signature = signature;
      this.key = key;
    }
  }

  private static final class Entry {
    final SignedMessage<?> attestation;
    final int position;
    final OperatorSetSnapshot.Operator operator;
    final byte[] digest;

    /** The compressed signature, on the curve; subgroup-checked once it is verified. */
    final byte[] signature;

    boolean verified;
    boolean invalid;

    Entry(
        SignedMessage<?> attestation,
        int position,
        OperatorSetSnapshot.Operator operator,
        byte[] digest,
        byte[] signature,
        boolean verified) {
      this.attestation = attestation;
      this.position = position;
      this.operator = operator;
      this.digest = digest;
      this.signature = signature;
      this.verified = verified;
    }
  }

  private static final class Group {
    final byte[] digest;
    final Instant firstAt;
    final TreeMap<Integer, Entry> entries = new TreeMap<>();
    BigInteger stake = BigInteger.ZERO;
    boolean aggregating;

    Group(byte[] digest, Instant firstAt) {
      this.digest = digest;
      this.firstAt = firstAt;
    }
  }

  private static final class Height {
    final HeightKey key;
    Status status = Status.COLLECTING;
    final Map<Integer, Entry> byOperator = new HashMap<>();
    final Map<DigestKey, Group> groups = new HashMap<>();
    final Set<Integer> suspects = new HashSet<>();
    final Set<Integer> equivocators = new HashSet<>();
    Set<Integer> published = Set.of();
    DigestKey certified;
    Scheduler.Cancellable window;

    Height(HeightKey key) {
      this.key = key;
    }
  }
}
