package org.avsnode.operator.slashing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Properties;
import org.avsnode.bls.BlsSecretKey;

/**
 * Protected signings per second and latency percentiles, embedded (H2 file) and PostgreSQL
 * (embedded server on this machine). Not run by {@code mvn verify}; see docs/benchmarks.md.
 *
 * <p>Usage: {@code SlashingProtectionBenchmark [h2|pg|both|h2mem] [signings] [threads]}; with
 * several threads each thread signs with its own key (one key's signings are sequential anyway).
 */
public final class SlashingProtectionBenchmark {
  private static int threads = 1;

  private SlashingProtectionBenchmark() {}

  public static void main(String[] args) throws Exception {
    String which = args.length > 0 ? args[0] : "both";
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    if (which.equals("h2") || which.equals("both")) {
      Path dir = Files.createTempDirectory("sp-bench");
      try (SlashingProtection db =
          EmbeddedSlashingProtection.open(
              dir, ProtectedSigner.slashingDomain(SigningWorker.DOMAIN))) {
        run("embedded (H2 file)", db, n);
      } finally {
        deleteTree(dir);
      }
    }
    if (which.equals("h2mem")) {
      // storage excluded: shows how much of the cost is the file, not the logic
      try (SlashingProtection db =
          EmbeddedSlashingProtection.inMemory(
              "bench", ProtectedSigner.slashingDomain(SigningWorker.DOMAIN))) {
        run("embedded (H2 in memory, no durability)", db, n);
      }
    }
    if (which.equals("pg") || which.equals("both")) {
      try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
        String url = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres?user=postgres";
        try (SlashingProtection db =
            PostgresSlashingProtection.open(
                url, new Properties(), ProtectedSigner.slashingDomain(SigningWorker.DOMAIN), 2)) {
          run("PostgreSQL (local server)", db, n);
        }
      }
    }
  }

  private static void run(String name, SlashingProtection db, int n) throws Exception {
    if (threads > 1) {
      runParallel(name, db, n);
      return;
    }
    BlsSecretKey sk = BlsSecretKey.random(new SecureRandom());
    ProtectedSigner signer = new ProtectedSigner(sk, db, SigningWorker.DOMAIN, null);
    byte[] pubkey = signer.publicKey().toBytes();
    int warmup = Math.min(2_000, n / 5);
    for (int i = 0; i < warmup; i++) {
      signer.sign(SigningWorker.attestation(1_000_000_000L + i, 1));
    }
    // 1) full protected signing: digest + check-and-record + BLS sign
    long[] lat = new long[n];
    long c0 = cpu();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long s = System.nanoTime();
      SigningResult r = signer.sign(SigningWorker.attestation(i, 1));
      lat[i] = System.nanoTime() - s;
      if (!r.isSigned()) {
        throw new IllegalStateException("unexpected refusal: " + r);
      }
    }
    long total = System.nanoTime() - t0;
    report(name + ", protected signing", n, total, lat, cpu() - c0);
    // 2) the database alone: check-and-record of new heights
    long[] dbLat = new long[n];
    byte[] digest = new byte[32];
    c0 = cpu();
    t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      digest[0] = (byte) i;
      long s = System.nanoTime();
      db.checkAndRecord(pubkey, new SigningIntent.Finality(SigningWorker.ROLLUP + 1, i, digest));
      dbLat[i] = System.nanoTime() - s;
    }
    report(name + ", checkAndRecord only", n, System.nanoTime() - t0, dbLat, cpu() - c0);
    // 3) refusals: conflicting content at heights already signed
    long[] refLat = new long[n];
    c0 = cpu();
    t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long s = System.nanoTime();
      SigningResult r = signer.sign(SigningWorker.attestation(i, 2));
      refLat[i] = System.nanoTime() - s;
      if (r.isSigned()) {
        throw new IllegalStateException("conflicting content signed at " + i);
      }
    }
    report(name + ", refused double-sign", n, System.nanoTime() - t0, refLat, cpu() - c0);
  }

  private static void runParallel(String name, SlashingProtection db, int n) throws Exception {
    int per = n / threads;
    ProtectedSigner[] signers = new ProtectedSigner[threads];
    for (int t = 0; t < threads; t++) {
      signers[t] =
          new ProtectedSigner(
              BlsSecretKey.random(new SecureRandom()), db, SigningWorker.DOMAIN, null);
      for (int i = 0; i < Math.min(2_000, per / 5); i++) {
        signers[t].sign(SigningWorker.attestation(1_000_000_000L + i, 1));
      }
    }
    long[] lat = new long[per * threads];
    Thread[] ts = new Thread[threads];
    long t0 = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      int id = t;
      ts[t] =
          new Thread(
              () -> {
                for (int i = 0; i < per; i++) {
                  long s = System.nanoTime();
                  SigningResult r = signers[id].sign(SigningWorker.attestation(i, 1));
                  lat[id * per + i] = System.nanoTime() - s;
                  if (!r.isSigned()) {
                    throw new IllegalStateException("unexpected refusal: " + r);
                  }
                }
              });
      ts[t].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    report(
        name + ", protected signing, " + threads + " threads/keys",
        per * threads,
        System.nanoTime() - t0,
        lat,
        -1);
  }

  /** CPU time of the calling thread (JDBC work done by the database server is not included). */
  private static long cpu() {
    return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  private static void report(String what, int n, long totalNanos, long[] lat, long cpuNanos) {
    long[] sorted = lat.clone();
    Arrays.sort(sorted);
    System.out.printf(
        "%-45s n=%d  %.0f ops/s  p50=%.3f ms  p99=%.3f ms  max=%.3f ms  thread CPU/op=%s%n",
        what,
        n,
        n / (totalNanos / 1e9),
        sorted[n / 2] / 1e6,
        sorted[(int) Math.min(n - 1, Math.ceil(n * 0.99) - 1)] / 1e6,
        sorted[n - 1] / 1e6,
        cpuNanos < 0 ? "n/a" : String.format("%.1f us", cpuNanos / 1e3 / n));
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (var s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
