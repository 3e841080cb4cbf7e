package org.avsnode.squad.bench;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.operator.metrics.SignerMetrics;
import org.avsnode.operator.node.ScopedSigner;
import org.avsnode.operator.slashing.EmbeddedSlashingProtection;
import org.avsnode.operator.slashing.ProtectedSigner;
import org.avsnode.operator.slashing.SigningListener;
import org.avsnode.squad.preconf.Preconfirmer;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;

/**
 * Preconfirmations through the node's real signer and an embedded slashing-protection database on
 * disk (benchmarks/run squad): the latency of one {@link Preconfirmer#preconfirm} call (decode,
 * sender recovery, slashing-protection record, BLS signature) one at a time, then the throughput
 * with {@code threads} callers. No HTTP yet: the leader's JSON-RPC endpoint is not built.
 *
 * <p>Usage: {@code PreconfirmThroughput <transactions> <threads> <out.json>}
 */
public final class PreconfirmThroughput {
  private PreconfirmThroughput() {}

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    int threads = Integer.parseInt(args[1]);
    Path out = Path.of(args[2]);
    long chain = 901;
    SecureRandom random = new SecureRandom();
    Credentials user = Credentials.create(Keys.createEcKeyPair(random));
    List<byte[]> txs = new ArrayList<>();
    for (int i = 0; i < 2 * n + 1_000; i++) {
      RawTransaction t =
          RawTransaction.createTransaction(
              chain,
              BigInteger.valueOf(i),
              BigInteger.valueOf(21_000),
              "0x000000000000000000000000000000000000dead",
              BigInteger.ONE,
              "",
              BigInteger.ONE,
              BigInteger.TEN);
      txs.add(TransactionEncoder.signMessage(t, chain, user));
    }
    Path dir = Files.createTempDirectory("avs-preconf-bench");
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                  } catch (java.io.IOException | RuntimeException e) {
                    // left for the system's temporary-file cleanup
                  }
                }));
    Eip712Domain domain = Eip712Domain.avsNode(31_337, new byte[20]);
    try (EmbeddedSlashingProtection db =
        EmbeddedSlashingProtection.open(dir, ProtectedSigner.slashingDomain(domain))) {
      ScopedSigner signer =
          new ScopedSigner(
              new ProtectedSigner(BlsSecretKey.random(random), db, domain, SigningListener.NONE),
              "squad",
              SignerMetrics.NOOP);
      Preconfirmer p = new Preconfirmer(signer, 42, chain, 131_072, Integer.MAX_VALUE);
      int next = 0;
      for (int i = 0; i < 1_000; i++) {
        accept(p.preconfirm(1, txs.get(next++)));
      }
      long[] lat = new long[n];
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        accept(p.preconfirm(2, txs.get(next++)));
        lat[i] = System.nanoTime() - t0;
      }
      Arrays.sort(lat);
      int base = next;
      AtomicInteger cursor = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      long t0 = System.nanoTime();
      List<Future<?>> fs = new ArrayList<>();
      for (int w = 0; w < threads; w++) {
        fs.add(
            pool.submit(
                () -> {
                  int i;
                  while ((i = cursor.getAndIncrement()) < n) {
                    accept(p.preconfirm(3, txs.get(base + i)));
                  }
                }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      pool.shutdown();
      String json =
          String.format(
              Locale.ROOT,
              "{%n  \"transactions\": %d,%n  \"threads\": %d,%n  \"latencyP50Ms\": %.3f,%n"
                  + "  \"latencyP99Ms\": %.3f,%n  \"latencyMaxMs\": %.3f,%n"
                  + "  \"preconfirmationsPerSecond\": %d%n}%n",
              n,
              threads,
              lat[n / 2] / 1e6,
              lat[(int) Math.ceil(n * 0.99) - 1] / 1e6,
              lat[n - 1] / 1e6,
              Math.round(n / seconds));
      Files.writeString(out, json);
      System.out.print(json);
    }
  }

  private static void accept(Preconfirmer.Outcome o) {
    if (!(o instanceof Preconfirmer.Accepted)) {
      throw new IllegalStateException("refused: " + o);
    }
  }
}
