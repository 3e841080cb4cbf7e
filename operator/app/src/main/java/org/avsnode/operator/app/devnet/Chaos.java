package org.avsnode.operator.app.devnet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The chaos of {@code devnet --chaos}: while the devnet runs, it SIGKILLs and restarts operator
 * processes (aggregators included, one operator down at a time), switches faults on in the RPC
 * proxies in front of each operator's L1 and L2 endpoints, and reorganises L1 (anvil snapshot, a
 * few blocks, revert). A quiet tail lets the last heights settle, then {@link #report} checks the
 * run: no double signature (the witness's record of every attestation, and the slashing events on
 * L1), every L2 height certified or listed with the reason it is not, operator RSS under a bound.
 * That no process is left is checked by the devnet after it stopped everything.
 */
final class Chaos implements AutoCloseable {
  /** An operator process (-Xmx256m, serial GC, C1) must stay under this resident size. */
  static final long RSS_BOUND_MB = 480;

  /** Hooks into the devnet the chaos needs. */
  interface Target {
    int operatorCount();

    boolean isAggregator(int op);

    /** SIGKILLs the operator's process; its pid. */
    long kill(int op);

    /** Starts the operator's process again and waits for its API; the new pid. */
    long restart(int op) throws Exception;

    OptionalLong pid(int op);

    String apiUrl(int op);

    FaultProxy l1Proxy(int op);

    FaultProxy l2Proxy(int op);

    /** Reverts L1 by {@code depth} blocks; a description of what it did. */
    String reorg(int depth) throws Exception;

    long l2Head();

    long l2Timestamp(long height);

    boolean finalizedOnL1(long height);

    /** The hash (0x-hex) of the L2 node's block at {@code height} now, or null if it has none. */
    String l2BlockHash(long height);

    long slashingEventsOnL1();

    /** The sum over the aggregators' equivocation counters (reset by a restart). */
    long aggregatorEquivocationsSeen();

    /** The operator's Prometheus text, or null when it does not answer. */
    String metrics(int op);

    int thresholdBps();
  }

  record Kill(
      int operator,
      boolean aggregator,
      long killedAtMillis,
      long downMillis,
      long restartedAtMillis,
      long apiUpMillis,
      long oldPid,
      long newPid,
      List<String> failedStarts) {}

  /**
   * A preconfirmed transaction answered this long before the end must be in a committed L2 block:
   * its slot (4 s) and the backup's window after it have passed, or a later slot carried it.
   */
  static final long SQUAD_SETTLE_MILLIS = 16_000;

  /**
   * A forced transaction queued on L1 this long before the end must be in a committed L2 block: it
   * was due 8 s after it was queued, and the slots after that (the quiet tail's among them) had to
   * include it.
   */
  static final long FORCED_SETTLE_MILLIS = 30_000;

  /** The deepest L1 reorg the chaos makes (1 to this many blocks). */
  static final int MAX_REORG_DEPTH = 3;

  /** Starts of a killed operator tried before the chaos gives it up. */
  static final int MAX_STARTS = 10;

  record FaultEvent(
      String proxy, FaultProxy.Fault fault, long startMillis, long durationMillis, int operator) {}

  record Reorg(long atMillis, int depth, String what) {}

  private final Target target;
  private final ChaosWitness witness;
  private final Random random;
  private final Consumer<String> say;
  private final List<Kill> kills = Collections.synchronizedList(new ArrayList<>());
  private final List<FaultEvent> faults = Collections.synchronizedList(new ArrayList<>());
  private final List<Reorg> reorgs = Collections.synchronizedList(new ArrayList<>());
  private final Map<Integer, Long> maxRssKb = new ConcurrentHashMap<>();
  private final AtomicLong rssSamples = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private final long seed;
  private volatile boolean stopped;
  private volatile long chaosUntilNanos;
  private long firstHeight;
  private long lastHeight = -1;
  private long startMillis;

  Chaos(Target target, ChaosWitness witness, long seed, Consumer<String> say) {
    this.target = target;
    this.witness = witness;
    this.seed = seed;
    this.random = new Random(seed);
    this.say = say;
  }

  /** Starts the chaos for {@code chaosFor}; the report's heights begin at {@code firstHeight}. */
  void start(Duration chaosFor, long firstHeight) {
    this.firstHeight = firstHeight;
    this.startMillis = System.currentTimeMillis();
    this.chaosUntilNanos = System.nanoTime() + chaosFor.toNanos();
    say.accept(
        String.format(
            "chaos     seed %d: kills, RPC faults and L1 reorgs for %ds, then a quiet tail",
            seed, chaosFor.toSeconds()));
    spawn("chaos-kills", this::killLoop);
    spawn("chaos-faults", this::faultLoop);
    spawn("chaos-reorgs", this::reorgLoop);
    spawn("chaos-watch", this::watchLoop);
  }

  private void spawn(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private boolean chaosOn() {
    return !stopped && System.nanoTime() - chaosUntilNanos < 0;
  }

  private long between(long lo, long hi) {
    synchronized (random) {
      return lo + (long) (random.nextDouble() * (hi - lo));
    }
  }

  private int pick(int n) {
    synchronized (random) {
      return random.nextInt(n);
    }
  }

  private boolean pause(long millis) {
    long until = System.nanoTime() + millis * 1_000_000;
    while (!stopped && System.nanoTime() - until < 0) {
      try {
        Thread.sleep(Math.min(200, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
      } catch (InterruptedException e) {
        return false;
      }
    }
    return !stopped;
  }

  // ---------------------------------------------------------------- kills

  private void killLoop() {
    int n = target.operatorCount();
    int round = 0;
    while (pause(between(8_000, 16_000)) && chaosOn()) {
      // every third kill takes an aggregator, alternating between them; the others any operator
      int op;
      if (round % 3 == 0) {
        List<Integer> aggs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          if (target.isAggregator(i)) {
            aggs.add(i);
          }
        }
        op = aggs.get((round / 3) % aggs.size());
      } else {
        op = pick(n);
      }
      round++;
      long down = between(1_000, 6_000);
      long killedAt = System.currentTimeMillis();
      long oldPid;
      try {
        oldPid = target.kill(op);
      } catch (RuntimeException e) {
        say.accept("chaos     could not kill op" + op + ": " + e.getMessage());
        continue;
      }
      say.accept(
          String.format(
              "chaos     op%d%s killed with SIGKILL (pid %d); restart in %d ms",
              op, target.isAggregator(op) ? " (aggregator)" : "", oldPid, down));
      pause(down);
      long restartAt = System.currentTimeMillis();
      // like a service manager (Restart=on-failure): a node that exits at start, e.g. because its
      // L1 endpoint answers garbage just then, is started again
      long newPid = -1;
      List<String> startErrors = new ArrayList<>();
      for (int attempt = 1; attempt <= MAX_STARTS && newPid < 0 && !stopped; attempt++) {
        try {
          newPid = target.restart(op);
        } catch (Exception e) {
          startErrors.add(String.valueOf(e.getMessage()));
          say.accept(
              "chaos     op" + op + " did not start (attempt " + attempt + "): " + e.getMessage());
          pause(2_000);
        }
      }
      long up = newPid < 0 ? -1 : System.currentTimeMillis() - restartAt;
      kills.add(
          new Kill(
              op,
              target.isAggregator(op),
              killedAt,
              down,
              restartAt,
              up,
              oldPid,
              newPid,
              List.copyOf(startErrors)));
      if (newPid >= 0) {
        say.accept(
            String.format(
                "chaos     op%d restarted (pid %d), API up after %d ms%s",
                op,
                newPid,
                up,
                startErrors.isEmpty()
                    ? ""
                    : " (" + startErrors.size() + " failed start(s) first)"));
      }
    }
  }

  // ---------------------------------------------------------------- RPC faults

  private void faultLoop() {
    FaultProxy.Fault[] kinds = FaultProxy.Fault.values();
    int n = target.operatorCount();
    while (pause(between(2_000, 6_000)) && chaosOn()) {
      int op = pick(n);
      boolean l1 = pick(2) == 0;
      FaultProxy proxy = l1 ? target.l1Proxy(op) : target.l2Proxy(op);
      FaultProxy.Fault f = kinds[pick(kinds.length)];
      long d = between(2_000, 7_000);
      proxy.inject(f, Duration.ofMillis(d));
      faults.add(new FaultEvent(proxy.name(), f, System.currentTimeMillis(), d, op));
      say.accept(String.format("chaos     %s on %s for %d ms", f, proxy.name(), d));
    }
  }

  // ---------------------------------------------------------------- L1 reorgs

  private void reorgLoop() {
    while (pause(between(25_000, 45_000)) && chaosOn()) {
      int depth = (int) between(1, MAX_REORG_DEPTH + 1);
      try {
        String what = target.reorg(depth);
        reorgs.add(new Reorg(System.currentTimeMillis(), depth, what));
        say.accept("chaos     L1 reorg: " + what);
      } catch (Exception e) {
        say.accept("chaos     L1 reorg failed: " + e.getMessage());
      }
    }
  }

  // ---------------------------------------------------------------- watching

  private void watchLoop() {
    long rounds = 0;
    while (pause(1_000)) {
      long head;
      try {
        head = target.l2Head();
      } catch (RuntimeException e) {
        continue;
      }
      if (chaosOn()) {
        lastHeight = head;
      }
      for (int op = 0; op < target.operatorCount(); op++) {
        if (target.isAggregator(op)) {
          witness.copyCertificates(
              op, target.apiUrl(op), Math.max(firstHeight, head - 300), head, verifier);
        }
      }
      if (rounds++ % 5 == 0) {
        sampleRss();
        scrapeIntake();
      }
    }
  }

  private volatile org.avsnode.operator.registry.NodeCertificateVerifier verifier;

  void verifier(org.avsnode.operator.registry.NodeCertificateVerifier v) {
    this.verifier = v;
  }

  /** pid of an aggregator process → its intake counters by outcome, as last scraped. */
  private final Map<Long, Map<String, Long>> intakeByPid = new ConcurrentHashMap<>();

  private static final java.util.regex.Pattern INTAKE =
      java.util.regex.Pattern.compile(
          "avs_mach_attestations_received_total\\{outcome=\"([a-z_]+)\",?\\} ([0-9.eE+]+)");

  /**
   * The aggregators' intake counters by outcome (a restart starts them again, so each process's
   * last scrape is kept and the report adds them up).
   */
  private void scrapeIntake() {
    for (int op = 0; op < target.operatorCount(); op++) {
      OptionalLong pid = target.pid(op);
      if (!target.isAggregator(op) || pid.isEmpty()) {
        continue;
      }
      String text = target.metrics(op);
      if (text == null) {
        continue;
      }
      Map<String, Long> counts = new java.util.TreeMap<>();
      java.util.regex.Matcher m = INTAKE.matcher(text);
      while (m.find()) {
        counts.put(m.group(1), (long) Double.parseDouble(m.group(2)));
      }
      intakeByPid.put(pid.getAsLong(), counts);
    }
  }

  private void sampleRss() {
    for (int op = 0; op < target.operatorCount(); op++) {
      OptionalLong pid = target.pid(op);
      if (pid.isEmpty()) {
        continue;
      }
      long kb = rssKb(pid.getAsLong());
      if (kb > 0) {
        rssSamples.incrementAndGet();
        maxRssKb.merge(op, kb, Math::max);
      }
    }
  }

  static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // gone
    }
    return -1;
  }

  /** Stops injecting; the watch keeps copying certificates until {@link #close}. */
  void stopInjecting() {
    chaosUntilNanos = System.nanoTime();
  }

  @Override
  public void close() {
    stopped = true;
    for (Thread t : threads) {
      t.interrupt();
    }
    for (Thread t : threads) {
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---------------------------------------------------------------- report

  /** The end-of-run checks, before the devnet stops its processes. */
  Report report() {
    Report r = new Report();
    r.seed = seed;
    r.durationSeconds = (System.currentTimeMillis() - startMillis) / 1000;
    r.operators = target.operatorCount();
    r.firstHeight = firstHeight;
    r.lastHeight = lastHeight;
    synchronized (kills) {
      r.kills = List.copyOf(kills);
    }
    synchronized (faults) {
      r.faults = List.copyOf(faults);
    }
    synchronized (reorgs) {
      r.reorgs = List.copyOf(reorgs);
    }
    Map<FaultProxy.Fault, Long> requests = new EnumMap<>(FaultProxy.Fault.class);
    for (int op = 0; op < target.operatorCount(); op++) {
      for (FaultProxy p : List.of(target.l1Proxy(op), target.l2Proxy(op))) {
        p.affected().forEach((k, v) -> requests.merge(k, v, Long::sum));
      }
    }
    r.requestsFaulted = requests;
    // recovery: from the kill (and from the restart) to the operator's next signed attestation
    List<Long> sinceKill = new ArrayList<>();
    List<Long> sinceRestart = new ArrayList<>();
    for (Kill k : r.kills) {
      OptionalLong back = witness.firstArrivalSince(k.operator(), k.restartedAtMillis());
      if (back.isPresent()) {
        sinceKill.add(back.getAsLong() - k.killedAtMillis());
        sinceRestart.add(back.getAsLong() - k.restartedAtMillis());
      } else {
        r.killsNotRecovered++;
      }
    }
    r.recoveryFromKillMillis = percentiles(sinceKill);
    r.recoveryFromRestartMillis = percentiles(sinceRestart);
    r.apiUpMillis =
        percentiles(r.kills.stream().map(Kill::apiUpMillis).filter(x -> x >= 0).toList());
    // signatures
    r.attestationsReceived = witness.received();
    r.attestationsDistinct = witness.distinctSigned();
    r.badSignatures = witness.badSignatures();
    r.doubleSignatures = witness.doubleSignatures();
    r.slashingEventsOnL1 = target.slashingEventsOnL1();
    r.aggregatorEquivocationsSeen = target.aggregatorEquivocationsSeen();
    r.invalidCertificates = witness.invalidCertificates();
    scrapeIntake();
    Map<String, Long> intake = new java.util.TreeMap<>();
    intakeByPid.values().forEach(c -> c.forEach((k, v) -> intake.merge(k, v, Long::sum)));
    r.aggregatorIntake = intake;
    // heights
    int n = target.operatorCount();
    for (long h = firstHeight; h <= lastHeight; h++) {
      boolean cert = witness.isCertified(h);
      boolean l1 = target.finalizedOnL1(h);
      if (cert) {
        r.certified++;
        String named = witness.certifiedBlock(h);
        String now = target.l2BlockHash(h);
        if (named != null && now != null && !named.equalsIgnoreCase(now)) {
          r.certifiedBlockNotInL2Chain.add(h);
        }
      }
      if (l1) {
        r.finalizedOnL1++;
      }
      if (!cert && !l1) {
        r.uncertified.add(explain(h, n));
      } else if (!l1) {
        r.notOnL1.add(explainL1(h));
      }
    }
    r.heights = Math.max(0, lastHeight - firstHeight + 1);
    long worst = 0;
    for (Map.Entry<Integer, Long> e : maxRssKb.entrySet()) {
      r.maxRssMbByOperator.put("op" + e.getKey(), e.getValue() / 1024);
      worst = Math.max(worst, e.getValue() / 1024);
    }
    r.maxRssMb = worst;
    r.rssSamples = rssSamples.get();
    r.rssBoundMb = RSS_BOUND_MB;
    return r;
  }

  private Map<String, Object> explain(long h, int n) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("height", h);
    int signers = witness.signersOf(h).size();
    out.put("signersSeen", signers);
    out.put("signers", witness.signersOf(h).stream().sorted().map(i -> "op" + i).toList());
    long ts;
    try {
      ts = target.l2Timestamp(h) * 1000;
    } catch (RuntimeException e) {
      ts = -1;
    }
    List<String> around = ts < 0 ? List.of() : eventsAround(ts, 3_000, 12_000);
    boolean quorum = (long) signers * 10_000 >= (long) target.thresholdBps() * n;
    Map<String, Set<Integer>> messages = witness.messagesAt(h);
    String reason;
    if (messages.size() > 1) {
      // every signature is valid and no operator signed twice, but they name different messages
      Map<String, List<String>> split = new java.util.TreeMap<>();
      messages.forEach((m, ops) -> split.put(m, ops.stream().sorted().map(i -> "op" + i).toList()));
      out.put("messages", split);
      reason =
          "the signatures were split over "
              + messages.size()
              + " messages (different stake epochs or contents): "
              + split;
      out.put("reason", reason);
      out.put("faultsAround", ts < 0 ? List.of() : eventsAround(ts, 3_000, 12_000));
      out.put("explained", true);
      return out;
    }
    if (!quorum) {
      reason =
          "only "
              + signers
              + " of "
              + n
              + " operators' signatures reached the witness (below the threshold)";
    } else {
      reason =
          signers + " of " + n + " signed, but no aggregator served or submitted a certificate";
    }
    boolean explained =
        !around.isEmpty()
            && (quorum
                ? around.stream().anyMatch(s -> s.contains("aggregator") || s.contains("reorg"))
                : true);
    out.put("reason", reason);
    out.put("faultsAround", around);
    out.put("explained", explained);
    return out;
  }

  private Map<String, Object> explainL1(long h) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("height", h);
    long ts;
    try {
      ts = target.l2Timestamp(h) * 1000;
    } catch (RuntimeException e) {
      ts = -1;
    }
    out.put("reason", "certified (a verified certificate was served) but not finalized on L1");
    out.put("faultsAround", ts < 0 ? List.of() : eventsAround(ts, 3_000, 20_000));
    return out;
  }

  /** The chaos events from {@code before} ms before {@code t} to {@code after} ms after it. */
  private List<String> eventsAround(long t, long before, long after) {
    List<String> out = new ArrayList<>();
    long lo = t - before;
    long hi = t + after;
    synchronized (kills) {
      for (Kill k : kills) {
        long end = k.restartedAtMillis() + Math.max(0, k.apiUpMillis());
        if (k.killedAtMillis() <= hi && end >= lo) {
          out.add(
              "op"
                  + k.operator()
                  + (k.aggregator() ? " (aggregator)" : "")
                  + " killed, down "
                  + (end - k.killedAtMillis())
                  + " ms");
        }
      }
    }
    synchronized (faults) {
      for (FaultEvent f : faults) {
        if (f.startMillis() <= hi && f.startMillis() + f.durationMillis() >= lo) {
          out.add(
              f.fault()
                  + " on "
                  + f.proxy()
                  + (target.isAggregator(f.operator()) ? " (aggregator)" : ""));
        }
      }
    }
    synchronized (reorgs) {
      for (Reorg r : reorgs) {
        if (r.atMillis() >= lo - 10_000 && r.atMillis() <= hi) {
          out.add("L1 reorg: " + r.what());
        }
      }
    }
    return out;
  }

  static Map<String, Long> percentiles(List<Long> values) {
    Map<String, Long> out = new LinkedHashMap<>();
    if (values.isEmpty()) {
      return out;
    }
    List<Long> s = new ArrayList<>(values);
    Collections.sort(s);
    out.put("n", (long) s.size());
    out.put("p50", s.get((int) Math.ceil(0.50 * s.size()) - 1));
    out.put("p99", s.get((int) Math.ceil(0.99 * s.size()) - 1));
    out.put("max", s.get(s.size() - 1));
    return out;
  }

  /** The outcome of a chaos run, written as {@code chaos-report.json}. */
  static final class Report {
    public long seed;
    public long durationSeconds;
    public int operators;
    public long firstHeight;
    public long lastHeight;
    public long heights;
    public long certified;

    /**
     * Heights whose certificate names a block the L2 node no longer has at that height at the end
     * of the run (a block SQUAD dropped after MACH had certified it): a failure. MACH attests a
     * block SQUAD sequences only once its commitment has more L1 confirmations than the chaos's
     * deepest reorg.
     */
    public List<Long> certifiedBlockNotInL2Chain = new ArrayList<>();

    public long finalizedOnL1;
    public List<Map<String, Object>> uncertified = new ArrayList<>();
    public List<Map<String, Object>> notOnL1 = new ArrayList<>();
    public List<Kill> kills = List.of();
    public long killsNotRecovered;
    public Map<String, Long> apiUpMillis = Map.of();
    public Map<String, Long> recoveryFromKillMillis = Map.of();
    public Map<String, Long> recoveryFromRestartMillis = Map.of();
    public List<FaultEvent> faults = List.of();
    public Map<FaultProxy.Fault, Long> requestsFaulted = Map.of();
    public List<Reorg> reorgs = List.of();
    public long attestationsReceived;
    public long attestationsDistinct;
    public long badSignatures;
    public List<ChaosWitness.DoubleSignature> doubleSignatures = List.of();
    public long slashingEventsOnL1;
    public long aggregatorEquivocationsSeen;
    public long invalidCertificates;
    public Map<String, Long> aggregatorIntake = Map.of();
    public Map<String, Long> maxRssMbByOperator = new LinkedHashMap<>();
    public long maxRssMb;
    public long rssSamples;
    public long rssBoundMb;
    public List<Long> processesLeft = new ArrayList<>();
    public long processesStarted;

    /** SQUAD's outcome under the chaos; null when the L2 is not sequenced by SQUAD. */
    public SquadOutcome squad;

    /**
     * What SQUAD did under the chaos.
     *
     * @param slotsCommitted slots committed on L1 (read from the inbox's events)
     * @param slotsByBackup of those, committed by a backup
     * @param preconfirmed transactions the operators' endpoints answered with a preconfirmation
     * @param judged of those, the ones answered long enough before the end to be in a committed
     *     block ({@link #SQUAD_SETTLE_MILLIS})
     * @param landed of the judged, the ones in an L2 block at or below the inbox's last committed
     * @param notLanded the judged ones that are not (a broken promise), at most 20 listed
     * @param notLandedCount how many judged ones are not
     * @param forcedQueued forced transactions queued on L1
     * @param forcedIncluded of those, the ones seen in an L2 block
     * @param forcedJudged the items of the L1 queue (as it stands after the reorgs) queued long
     *     enough before the end to be in a committed block ({@link #FORCED_SETTLE_MILLIS})
     * @param forcedMissing the judged items not in an L2 block at or below the inbox's last
     *     committed one, at most 20 listed
     * @param forcedMissingCount how many judged items are not
     */
    record SquadOutcome(
        long slotsCommitted,
        long slotsByBackup,
        long preconfirmed,
        long judged,
        long landed,
        List<String> notLanded,
        long notLandedCount,
        long forcedQueued,
        long forcedIncluded,
        long forcedJudged,
        List<String> forcedMissing,
        long forcedMissingCount) {}

    /** VITAL's outcome under the chaos; null when the devnet posts no outputs. */
    public VitalOutcome vital;

    /**
     * What the operators' VITAL quorum decided on L1 about the outputs the devnet's proposer
     * posted.
     *
     * @param outputsPosted outputs posted to the OutputOracle
     * @param wrongPosted of those, posted with a wrong root on purpose ({@code --bad-output})
     * @param correctInvalidated indexes of outputs posted with the right root that the quorum
     *     invalidated on L1: a false verdict (and with it MACH stops attesting up to the next
     *     output)
     */
    record VitalOutcome(long outputsPosted, long wrongPosted, List<Long> correctInvalidated) {}

    /** Why the run failed its checks; empty when it passed. */
    public List<String> failures() {
      List<String> f = new ArrayList<>();
      if (!doubleSignatures.isEmpty()) {
        f.add(doubleSignatures.size() + " double signature(s) seen by the witness");
      }
      if (slashingEventsOnL1 > 0) {
        f.add(slashingEventsOnL1 + " slashing event(s) on L1");
      }
      if (aggregatorEquivocationsSeen > 0) {
        f.add(aggregatorEquivocationsSeen + " equivocation(s) seen by the aggregators");
      }
      if (badSignatures > 0) {
        f.add(badSignatures + " attestation(s) with a bad signature from an operator");
      }
      if (invalidCertificates > 0) {
        f.add(invalidCertificates + " served certificate(s) failed verification");
      }
      long unexplained =
          uncertified.stream().filter(m -> !Boolean.TRUE.equals(m.get("explained"))).count();
      if (unexplained > 0) {
        f.add(unexplained + " height(s) without a certificate and without a fault to explain it");
      }
      if (!certifiedBlockNotInL2Chain.isEmpty()) {
        f.add(
            certifiedBlockNotInL2Chain.size()
                + " certified height(s) name a block the L2 chain no longer has: "
                + certifiedBlockNotInL2Chain);
      }
      if (heights == 0 || certified == 0) {
        f.add("no height was certified");
      }
      if (killsNotRecovered > 0) {
        f.add(killsNotRecovered + " killed operator(s) never signed again");
      }
      if (maxRssMb > rssBoundMb) {
        f.add("an operator's RSS reached " + maxRssMb + " MB (bound " + rssBoundMb + " MB)");
      }
      if (rssSamples == 0) {
        f.add("no RSS sample was taken");
      }
      if (!processesLeft.isEmpty()) {
        f.add(processesLeft.size() + " process(es) left running: " + processesLeft);
      }
      if (vital != null && !vital.correctInvalidated().isEmpty()) {
        f.add(
            vital.correctInvalidated().size()
                + " output(s) posted with the right root were invalidated on L1: "
                + vital.correctInvalidated());
      }
      if (squad != null) {
        if (squad.slotsCommitted() == 0) {
          f.add("no SQUAD slot was committed on L1");
        }
        if (squad.notLandedCount() > 0) {
          f.add(
              squad.notLandedCount()
                  + " preconfirmed transaction(s) not in a committed L2 block: "
                  + squad.notLanded());
        }
        if (squad.forcedMissingCount() > 0) {
          f.add(
              squad.forcedMissingCount()
                  + " forced transaction(s) queued on L1 long before the end not in a committed L2"
                  + " block: "
                  + squad.forcedMissing());
        }
      }
      return f;
    }

    void write(Path file) throws IOException {
      ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      Map<String, Object> root = new LinkedHashMap<>();
      root.put("passed", failures().isEmpty());
      root.put("failures", failures());
      root.put("report", this);
      Files.writeString(file, m.writeValueAsString(root));
    }
  }
}
