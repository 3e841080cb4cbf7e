package org.avsnode.mach.bench;

import java.math.BigInteger;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.certificate.CertificateVerifier;
import org.avsnode.certificate.OperatorSetSnapshot;
import org.avsnode.certificate.VerifierPolicy;
import org.avsnode.operator.quorum.Aggregator;
import org.avsnode.operator.quorum.AggregatorConfig;
import org.avsnode.operator.quorum.AggregatorListener;
import org.avsnode.operator.quorum.PublishedCertificate;
import org.avsnode.operator.quorum.RejectReason;
import org.avsnode.operator.quorum.SignedMessage;
import org.avsnode.operator.time.Scheduler;

/**
 * Attestations per second through ONE aggregator: every operator of an n-operator set attests each
 * of H consecutive heights; attestations are submitted height by height with {@link
 * Aggregator<FinalityAttestation>#submitAsync} onto a decode pool of T threads; certificates are
 * made as thresholds are crossed and improved at the end of each 300 ms window on a real scheduler.
 * Not run by {@code mvn verify}; see docs/benchmarks.md for the command.
 *
 * <p>Arguments: {@code [operators=64] [heights=200] [threads=2]}.
 */
public final class AggregatorThroughput {
  private AggregatorThroughput() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 64;
    int heights = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int warmupHeights = Math.max(10, heights / 5);

    Fixture f = fixture(n);
    Eip712Domain domain = f.domain();
    List<BlsSecretKey> keys = f.keys();
    List<byte[]> addresses = f.addresses();
    OperatorSetSnapshot snapshot = f.snapshot();

    System.out.printf("signing %d attestations...%n", n * (heights + warmupHeights));
    ExecutorService signers = Executors.newFixedThreadPool(threads);
    List<SignedMessage<FinalityAttestation>> warm =
        sign(signers, keys, addresses, domain, 1_000_000, warmupHeights);
    List<SignedMessage<FinalityAttestation>> measured =
        sign(signers, keys, addresses, domain, 1, heights);
    signers.shutdown();

    // reference: one signature decode with its subgroup check, single thread
    byte[] sig = measured.get(0).signature();
    for (int i = 0; i < 2000; i++) {
      BlsSignature.fromBytes(sig);
    }
    long t0 = System.nanoTime();
    int reps = 5000;
    for (int i = 0; i < reps; i++) {
      BlsSignature.fromBytes(sig);
    }
    double decodeUs = (System.nanoTime() - t0) / 1e3 / reps;
    System.out.printf("signature decode + subgroup check: %.1f us (1 thread)%n", decodeUs);

    // ceiling: decoding alone, on the same pool size, no aggregator
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long d0 = System.nanoTime();
    List<CompletableFuture<?>> decodes = new ArrayList<>();
    for (SignedMessage<FinalityAttestation> a : measured) {
      decodes.add(CompletableFuture.runAsync(() -> BlsSignature.fromBytes(a.signature()), pool));
    }
    CompletableFuture.allOf(decodes.toArray(CompletableFuture[]::new)).join();
    double decodeOnly = measured.size() / ((System.nanoTime() - d0) / 1e9);
    pool.shutdown();
    System.out.printf("decode only on %d threads: %.0f/s%n", threads, decodeOnly);

    run("warm-up", snapshot, domain, warm, threads);
    Result r = run("measured", snapshot, domain, measured, threads);
    System.out.printf(
        "RESULT operators=%d heights=%d threads=%d attestations=%d: %.0f attestations/s;"
            + " first certificates %d, improved %d; latency first attestation -> certificate"
            + " p50 %.2f ms p99 %.2f ms; all verify: %s%n",
        n,
        heights,
        threads,
        measured.size(),
        r.perSecond,
        r.first,
        r.improved,
        r.p50Ms,
        r.p99Ms,
        r.allVerify);
  }

  private record Result(
      double perSecond, int first, int improved, double p50Ms, double p99Ms, boolean allVerify) {}

  private static Result run(
      String label,
      OperatorSetSnapshot snapshot,
      Eip712Domain domain,
      List<SignedMessage<FinalityAttestation>> stream,
      int threads)
      throws Exception {
    ExecutorService decode = Executors.newFixedThreadPool(threads);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    List<PublishedCertificate> published = Collections.synchronizedList(new ArrayList<>());
    AggregatorListener<FinalityAttestation> listener =
        new AggregatorListener<>() {
          @Override
          public void onCertificate(PublishedCertificate c) {
            published.add(c);
          }
        };
    Aggregator<FinalityAttestation> agg =
        new Aggregator<>(
            snapshot,
            domain,
            AggregatorConfig.defaults(),
            listener,
            Clock.systemUTC(),
            Scheduler.of(timer),
            decode);
    long cpu0 = processCpuNanos();
    long start = System.nanoTime();
    List<CompletableFuture<?>> futures = new ArrayList<>(stream.size());
    for (SignedMessage<FinalityAttestation> a : stream) {
      futures.add(agg.submitAsync(a));
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
    double seconds = (System.nanoTime() - start) / 1e9;
    Thread.sleep(AggregatorConfig.defaults().collectionWindow().toMillis() + 200);
    // CPU of the whole process, window-end aggregations included (the sleeping adds ~nothing)
    double cpuMicrosPerAttestation = (processCpuNanos() - cpu0) / 1e3 / stream.size();
    agg.close();
    timer.shutdown();
    decode.shutdown();
    timer.awaitTermination(5, TimeUnit.SECONDS);

    List<Double> latencies = new ArrayList<>();
    int first = 0;
    int improved = 0;
    boolean allVerify = true;
    synchronized (published) {
      for (PublishedCertificate p : published) {
        if (p.improvement()) {
          improved++;
        } else {
          first++;
          latencies.add(p.latency().toNanos() / 1e6);
        }
        allVerify &=
            CertificateVerifier.verify(p.certificate(), snapshot, domain, VerifierPolicy.defaults())
                .isValid();
      }
    }
    Collections.sort(latencies);
    double p50 = latencies.isEmpty() ? 0 : latencies.get(latencies.size() / 2);
    double p99 =
        latencies.isEmpty()
            ? 0
            : latencies.get(Math.min(latencies.size() - 1, (int) (latencies.size() * 0.99)));
    double perSecond = stream.size() / seconds;
    System.out.printf(
        "%s: %d attestations in %.3f s = %.0f/s wall clock, accepted %d; process CPU %.1f us per"
            + " attestation = %.0f/s on %d dedicated cores%n",
        label,
        stream.size(),
        seconds,
        perSecond,
        agg.acceptedCount(),
        cpuMicrosPerAttestation,
        threads * 1e6 / cpuMicrosPerAttestation,
        threads);
    for (RejectReason reason : RejectReason.values()) {
      if (agg.rejectedCount(reason) > 0) {
        System.out.printf("  rejected %s: %d%n", reason, agg.rejectedCount(reason));
      }
    }
    return new Result(perSecond, first, improved, p50, p99, allVerify);
  }

  /** n operators with deterministic keys, equal-ish stakes, at stake epoch 5 of set 0. */
  record Fixture(
      Eip712Domain domain,
      List<BlsSecretKey> keys,
      List<byte[]> addresses,
      OperatorSetSnapshot snapshot) {}

  static Fixture fixture(int n) {
    byte[] avs = new byte[20];
    avs[0] = (byte) 0xa5;
    Eip712Domain domain = Eip712Domain.avsNode(31337, avs);
    List<BlsSecretKey> keys = new ArrayList<>();
    List<OperatorSetSnapshot.Operator> ops = new ArrayList<>();
    List<byte[]> addresses = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] ikm = new byte[32];
      new Random(i).nextBytes(ikm);
      BlsSecretKey k = BlsSecretKey.keyGen(ikm);
      keys.add(k);
      byte[] addr = new byte[20];
      addr[18] = (byte) (i >>> 8);
      addr[19] = (byte) i;
      addresses.add(addr);
      ops.add(
          new OperatorSetSnapshot.Operator(
              i, addr, k.publicKey(), BigInteger.valueOf(1000 + i), true));
    }
    OperatorSetSnapshot snapshot = OperatorSetSnapshot.of(avs, 0, 5, ops);
    return new Fixture(domain, keys, addresses, snapshot);
  }

  static long processCpuNanos() {
    java.lang.management.OperatingSystemMXBean os =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return 0;
  }

  static List<SignedMessage<FinalityAttestation>> sign(
      ExecutorService pool,
      List<BlsSecretKey> keys,
      List<byte[]> addresses,
      Eip712Domain domain,
      long firstHeight,
      int heights)
      throws Exception {
    List<CompletableFuture<List<SignedMessage<FinalityAttestation>>>> perHeight = new ArrayList<>();
    for (int h = 0; h < heights; h++) {
      long height = firstHeight + h;
      perHeight.add(
          CompletableFuture.supplyAsync(
              () -> {
                byte[] hash = new byte[32];
                new Random(height).nextBytes(hash);
                FinalityAttestation m = new FinalityAttestation(7, height, hash, hash, 5);
                byte[] digest = m.digest(domain);
                List<SignedMessage<FinalityAttestation>> out = new ArrayList<>();
                for (int i = 0; i < keys.size(); i++) {
                  out.add(
                      new SignedMessage<>(m, addresses.get(i), keys.get(i).sign(digest).toBytes()));
                }
                Collections.shuffle(out, new Random(height));
                return out;
              },
              pool));
    }
    List<SignedMessage<FinalityAttestation>> all = new ArrayList<>();
    for (CompletableFuture<List<SignedMessage<FinalityAttestation>>> f : perHeight) {
      all.addAll(f.get());
    }
    return all;
  }
}
