package org.avsnode.mach.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.certificate.CertificateVerifier;
import org.avsnode.certificate.OperatorSetSnapshot;
import org.avsnode.certificate.VerifierPolicy;
import org.avsnode.mach.MachDuty;
import org.avsnode.operator.http.AdminToken;
import org.avsnode.operator.http.HttpServerConfig;
import org.avsnode.operator.http.NodeHttpServer;
import org.avsnode.operator.http.RouteTable;
import org.avsnode.operator.metrics.MetricCategory;
import org.avsnode.operator.metrics.NodeMetrics;
import org.avsnode.operator.metrics.PrometheusMetricsSystem;
import org.avsnode.operator.net.SignedMessageJson;
import org.avsnode.operator.quorum.Aggregator;
import org.avsnode.operator.quorum.AggregatorConfig;
import org.avsnode.operator.quorum.AggregatorListener;
import org.avsnode.operator.quorum.IntakeEndpoint;
import org.avsnode.operator.quorum.PublishedCertificate;
import org.avsnode.operator.quorum.SignedMessage;
import org.avsnode.operator.time.Scheduler;

/**
 * The aggregator's intake through HTTP, measured beside the aggregation core in the same run: the
 * same signed attestations (every operator of an n-operator set, H heights) go once straight into
 * an {@link Aggregator} ({@code submit} on C caller threads: the core) and once as JSON POSTs to
 * the node's HTTP server ({@link NodeHttpServer}, Jetty, on loopback) whose attestation route is
 * the production one ({@link IntakeEndpoint} in front of {@code Aggregator.submit}, as MACH's
 * aggregator role mounts it), from C client threads each with its own HTTP/1.1 connection. Both
 * report attestations per second (wall clock), process CPU per attestation, and check that every
 * certificate verifies. Not run by {@code mvn verify}; {@code benchmarks/run intake} runs it.
 *
 * <p>Arguments: {@code [operators=64] [heights=150] [clients=8] [result.json]}.
 */
public final class IntakeHttpThroughput {
  private IntakeHttpThroughput() {}

  record Run(
      double perSecond,
      double cpuMicros,
      double serverCpuMicros,
      int accepted,
      int certificates,
      boolean verify) {}

  /** CPU time of the node's HTTP server threads (Jetty's pool is named "http"). */
  private static long serverThreadsCpuNanos() {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (java.lang.management.ThreadInfo t : mx.dumpAllThreads(false, false)) {
      if (t != null && t.getThreadName().startsWith("http-")) {
        long c = mx.getThreadCpuTime(t.getThreadId());
        if (c > 0) {
          sum += c;
        }
      }
    }
    return sum;
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 64;
    int heights = args.length > 1 ? Integer.parseInt(args[1]) : 150;
    int clients = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    Path out = args.length > 3 ? Path.of(args[3]) : null;

    AggregatorThroughput.Fixture f = AggregatorThroughput.fixture(n);
    Eip712Domain domain = f.domain();
    List<BlsSecretKey> keys = f.keys();
    List<byte[]> addresses = f.addresses();
    OperatorSetSnapshot snapshot = f.snapshot();
    int warmHeights = Math.max(20, heights / 3);
    System.out.printf("signing %d attestations...%n", n * (heights * 2 + warmHeights * 2));
    ExecutorService signers = Executors.newFixedThreadPool(2);
    var warmCore =
        AggregatorThroughput.sign(signers, keys, addresses, domain, 1_000_000, warmHeights);
    var core = AggregatorThroughput.sign(signers, keys, addresses, domain, 1, heights);
    var warmHttp =
        AggregatorThroughput.sign(signers, keys, addresses, domain, 2_000_000, warmHeights);
    var http = AggregatorThroughput.sign(signers, keys, addresses, domain, 3_000_000, heights);
    signers.shutdown();

    core(snapshot, domain, warmCore, clients);
    Run c = core(snapshot, domain, core, clients);
    print("core", c, core.size());
    http(snapshot, domain, warmHttp, clients);
    Run h = http(snapshot, domain, http, clients);
    print("http", h, http.size());
    System.out.printf(
        "RESULT operators=%d heights=%d clients=%d: core %.0f/s, HTTP %.0f/s (ratio %.2f); CPU per"
            + " attestation core %.1f us, HTTP %.1f us (the server's threads %.1f us; the rest"
            + " is the clients, in this process)%n",
        n,
        heights,
        clients,
        c.perSecond,
        h.perSecond,
        h.perSecond / c.perSecond,
        c.cpuMicros,
        h.cpuMicros,
        h.serverCpuMicros);
    if (out != null) {
      String json =
          String.format(
              java.util.Locale.ROOT,
              "{\"operators\": %d, \"heights\": %d, \"clients\": %d, \"attestations\": %d,"
                  + " \"coreAttestationsPerSecond\": %.0f, \"httpAttestationsPerSecond\": %.0f,"
                  + " \"httpToCoreRatio\": %.3f, \"coreCpuMicrosPerAttestation\": %.1f,"
                  + " \"httpCpuMicrosPerAttestation\": %.1f,"
                  + " \"httpServerThreadsCpuMicrosPerAttestation\": %.1f,"
                  + " \"allCertificatesVerify\": %s}%n",
              n,
              heights,
              clients,
              http.size(),
              c.perSecond,
              h.perSecond,
              h.perSecond / c.perSecond,
              c.cpuMicros,
              h.cpuMicros,
              h.serverCpuMicros,
              c.verify && h.verify);
      Files.writeString(out, json);
    }
    if (!c.verify || !h.verify || c.accepted != core.size() || h.accepted != http.size()) {
      System.err.println("FAILED: a certificate did not verify or an attestation was not accepted");
      System.exit(1);
    }
  }

  private static void print(String label, Run r, int total) {
    System.out.printf(
        "%s: %.0f attestations/s wall clock, %d of %d accepted, %d first certificates, process CPU"
            + " %.1f us per attestation, all verify: %s%n",
        label, r.perSecond, r.accepted, total, r.certificates, r.cpuMicros, r.verify);
  }

  /** An aggregator with a recording listener; the caller closes it. */
  private static Aggregator<FinalityAttestation> aggregator(
      OperatorSetSnapshot snapshot,
      Eip712Domain domain,
      List<PublishedCertificate> published,
      ScheduledExecutorService timer) {
    AggregatorListener<FinalityAttestation> listener =
        new AggregatorListener<>() {
          @Override
          public void onCertificate(PublishedCertificate c) {
            published.add(c);
          }
        };
    return new Aggregator<>(
        snapshot,
        domain,
        AggregatorConfig.defaults(),
        listener,
        Clock.systemUTC(),
        Scheduler.of(timer),
        Runnable::run);
  }

  /**
   * The stream split over {@code threads} callers of {@code Aggregator.submit}, height order kept.
   */
  private static Run core(
      OperatorSetSnapshot snapshot,
      Eip712Domain domain,
      List<SignedMessage<FinalityAttestation>> stream,
      int threads)
      throws Exception {
    List<PublishedCertificate> published = Collections.synchronizedList(new ArrayList<>());
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    Aggregator<FinalityAttestation> agg = aggregator(snapshot, domain, published, timer);
    AtomicInteger accepted = new AtomicInteger();
    long cpu0 = AggregatorThroughput.processCpuNanos();
    long t0 = System.nanoTime();
    drive(
        stream,
        threads,
        a -> {
          if (agg.submit(a).isAccepted()) {
            accepted.incrementAndGet();
          }
        });
    double secs = (System.nanoTime() - t0) / 1e9;
    double cpu = (AggregatorThroughput.processCpuNanos() - cpu0) / 1e3 / stream.size();
    return finish(agg, timer, published, snapshot, domain, stream.size() / secs, cpu, 0, accepted);
  }

  private static Run http(
      OperatorSetSnapshot snapshot,
      Eip712Domain domain,
      List<SignedMessage<FinalityAttestation>> stream,
      int clients)
      throws Exception {
    List<PublishedCertificate> published = Collections.synchronizedList(new ArrayList<>());
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    Aggregator<FinalityAttestation> agg = aggregator(snapshot, domain, published, timer);
    PrometheusMetricsSystem metrics = new PrometheusMetricsSystem(false);
    var outcomes =
        metrics.counter(MetricCategory.of("avs", "bench"), "intake_total", "intake", "outcome");
    RouteTable routes = new RouteTable();
    routes.post(
        MachDuty.ATTESTATION_PATH,
        2048,
        req -> IntakeEndpoint.handle(req, FinalityAttestation.class, agg::submit, outcomes));
    NodeHttpServer server =
        new NodeHttpServer(
            HttpServerConfig.loopback(0),
            routes,
            AdminToken.of("bench-token-0123456789abcdef"),
            new NodeMetrics(metrics));
    server.start();
    long server0 = serverThreadsCpuNanos();
    long[] server1 = new long[1];
    URI uri = URI.create(server.baseUrl() + MachDuty.ATTESTATION_PATH);
    // one client (one connection) per sending thread, as each operator node holds its own
    Map<Long, HttpClient> perThread = new ConcurrentHashMap<>();
    List<byte[]> bodies = new ArrayList<>(stream.size());
    for (SignedMessage<FinalityAttestation> a : stream) {
      bodies.add(SignedMessageJson.encode(a));
    }
    AtomicInteger accepted = new AtomicInteger();
    AtomicLong failures = new AtomicLong();
    long cpu0 = AggregatorThroughput.processCpuNanos();
    long t0 = System.nanoTime();
    try {
      driveIndexed(
          bodies.size(),
          clients,
          i -> {
            HttpClient client =
                perThread.computeIfAbsent(
                    Thread.currentThread().getId(),
                    k ->
                        HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(Duration.ofSeconds(5))
                            .build());
            try {
              HttpResponse<Void> r =
                  client.send(
                      HttpRequest.newBuilder(uri)
                          .header("Content-Type", "application/json")
                          .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i)))
                          .build(),
                      HttpResponse.BodyHandlers.discarding());
              if (r.statusCode() == 202) {
                accepted.incrementAndGet();
              } else {
                failures.incrementAndGet();
              }
            } catch (Exception e) {
              failures.incrementAndGet();
            }
          });
    } finally {
      // the server's threads are read before they stop
      server1[0] = serverThreadsCpuNanos();
      server.close();
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    double cpu = (AggregatorThroughput.processCpuNanos() - cpu0) / 1e3 / stream.size();
    if (failures.get() > 0) {
      System.out.printf("  HTTP answers other than 202: %d%n", failures.get());
    }
    double serverCpu = (server1[0] - server0) / 1e3 / stream.size();
    return finish(
        agg, timer, published, snapshot, domain, stream.size() / secs, cpu, serverCpu, accepted);
  }

  private static Run finish(
      Aggregator<FinalityAttestation> agg,
      ScheduledExecutorService timer,
      List<PublishedCertificate> published,
      OperatorSetSnapshot snapshot,
      Eip712Domain domain,
      double perSecond,
      double cpuMicros,
      double serverCpuMicros,
      AtomicInteger accepted)
      throws InterruptedException {
    Thread.sleep(AggregatorConfig.defaults().collectionWindow().toMillis() + 200);
    agg.close();
    timer.shutdown();
    int first = 0;
    boolean verify = true;
    synchronized (published) {
      for (PublishedCertificate p : published) {
        if (!p.improvement()) {
          first++;
        }
        verify &=
            CertificateVerifier.verify(p.certificate(), snapshot, domain, VerifierPolicy.defaults())
                .isValid();
      }
    }
    return new Run(
        perSecond, cpuMicros, serverCpuMicros, accepted.get(), first, verify && first > 0);
  }

  private static void drive(
      List<SignedMessage<FinalityAttestation>> stream,
      int threads,
      java.util.function.Consumer<SignedMessage<FinalityAttestation>> each)
      throws Exception {
    driveIndexed(stream.size(), threads, i -> each.accept(stream.get(i)));
  }

  /** Indices 0..total-1 taken in order by {@code threads} workers, each running {@code each}. */
  private static void driveIndexed(int total, int threads, java.util.function.IntConsumer each)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      done.add(
          pool.submit(
              () -> {
                for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                  each.accept(i);
                }
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
  }
}
