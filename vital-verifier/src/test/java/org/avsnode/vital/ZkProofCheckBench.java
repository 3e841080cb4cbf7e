package org.avsnode.vital;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.avsnode.operator.chain.L1Client;
import org.avsnode.operator.chain.RetryPolicy;
import org.avsnode.operator.metrics.NoOpMetricsSystem;
import org.avsnode.operator.metrics.NodeMetrics;
import org.avsnode.toolchain.AnvilProcess;
import org.avsnode.toolchain.ZkProver;

/**
 * The ZK benchmark's node-side figures ({@code benchmarks/run zk}): one operator's proof check, the
 * {@code eth_call} of the rollup's Groth16 verifier with the public inputs the node rebuilt, on a
 * real anvil L1 with the verifier {@code zk/build.sh} generated and real snarkjs proofs; latency
 * one call at a time (p50, p99), against a baseline measured in the same run ({@code
 * eth_blockNumber} on the same endpoint), and checks per second with several callers. Also the
 * devnet prover's time per proof.
 *
 * <p>Usage: {@code ZkProofCheckBench <calls> <callers> <out.json>}; writes {@code {"values":
 * [...]}}.
 */
public final class ZkProofCheckBench {
  private ZkProofCheckBench() {}

  public static void main(String[] args) throws Exception {
    int calls = Integer.parseInt(args[0]);
    int callers = Integer.parseInt(args[1]);
    Path out = Path.of(args[2]);
    Path zk = ZkProver.artifactsDir();
    SecureRandom random = new SecureRandom();
    List<Map<String, Object>> values = new ArrayList<>();
    try (AnvilProcess anvil = AnvilProcess.builder().start();
        ZkProver prover = ZkProver.start(zk, Duration.ofSeconds(120))) {
      L1Client l1 =
          L1Client.http(
              anvil.rpcUrl(),
              Duration.ofSeconds(10),
              RetryPolicy.DEFAULT,
              new NodeMetrics(new NoOpMetricsSystem()));
      String verifier = ZkVerifierDeployment.deploy(l1, zk);
      VitalContracts contracts = new VitalContracts(l1, verifier, verifier, verifier, 0);

      // 16 batches with their proofs, proved by the devnet's prover process
      int batches = 16;
      List<List<BigInteger>> proofs = new ArrayList<>();
      List<List<BigInteger>> inputs = new ArrayList<>();
      List<Long> proveMillis = new ArrayList<>();
      for (int i = 0; i < batches; i++) {
        byte[][] w = new byte[4][32];
        for (byte[] x : w) {
          random.nextBytes(x);
        }
        ZkProver.Proof p = prover.prove(w[0], w[1], w[2], w[3]);
        proveMillis.add(p.proveMillis());
        proofs.add(p.words());
        inputs.add(ZkPublicInputs.limbs(w[0], w[1], w[2], w[3]));
      }
      // every proof verifies with its own inputs and not with another batch's (a check that can
      // fail: the figures below are of real verifications)
      for (int i = 0; i < batches; i++) {
        if (contracts.verifyProof(verifier, proofs.get(i), inputs.get(i)).outcome()
                != ZkBatchChecker.Outcome.VERIFIES
            || contracts
                    .verifyProof(verifier, proofs.get(i), inputs.get((i + 1) % batches))
                    .outcome()
                != ZkBatchChecker.Outcome.REJECTED) {
          throw new IllegalStateException("proof " + i + " does not check as it should");
        }
      }
      // warm-up, then one at a time
      for (int i = 0; i < Math.min(500, calls); i++) {
        contracts.verifyProof(verifier, proofs.get(i % batches), inputs.get(i % batches));
        l1.blockNumber();
      }
      long[] check = new long[calls];
      long[] base = new long[calls];
      for (int i = 0; i < calls; i++) {
        long t0 = System.nanoTime();
        contracts.verifyProof(verifier, proofs.get(i % batches), inputs.get(i % batches));
        long t1 = System.nanoTime();
        l1.blockNumber();
        long t2 = System.nanoTime();
        check[i] = t1 - t0;
        base[i] = t2 - t1;
      }
      java.util.Arrays.sort(check);
      java.util.Arrays.sort(base);
      // throughput: callers checking concurrently for a fixed number of calls
      AtomicLong done = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(callers);
      long start = System.nanoTime();
      List<Future<?>> fs = new ArrayList<>();
      for (int c = 0; c < callers; c++) {
        int offset = c;
        fs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < calls / callers; i++) {
                    int k = (i + offset) % batches;
                    contracts.verifyProof(verifier, proofs.get(k), inputs.get(k));
                    done.incrementAndGet();
                  }
                  return null;
                }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      pool.shutdown();
      proveMillis.sort(null);

      values.add(
          v(
              "proof check (eth_call of the Groth16 verifier, 8 public inputs, anvil on loopback), one at a time: p50",
              ms(check, 0.5),
              "ms"));
      values.add(v("the same, p99", ms(check, 0.99), "ms"));
      values.add(v("baseline, same run and endpoint: eth_blockNumber, p50", ms(base, 0.5), "ms"));
      values.add(v("the same, p99", ms(base, 0.99), "ms"));
      values.add(v("proof check p50 / baseline p50", round(ms(check, 0.5) / ms(base, 0.5)), "x"));
      values.add(
          v(
              "proofs checked per second by one operator, "
                  + callers
                  + " callers ("
                  + done.get()
                  + " checks)",
              Math.round(done.get() / seconds),
              "/s"));
      values.add(
          v(
              "devnet prover (snarkjs groth16 fullProve in one node process), p50",
              proveMillis.get(batches / 2),
              "ms"));
      values.add(v("the same, slowest of " + batches, proveMillis.get(batches - 1), "ms"));
    }
    StringBuilder json = new StringBuilder("{\"values\": [\n");
    for (int i = 0; i < values.size(); i++) {
      Map<String, Object> m = values.get(i);
      json.append("  {\"name\": \"")
          .append(m.get("name"))
          .append("\", \"value\": ")
          .append(m.get("value"))
          .append(", \"unit\": \"")
          .append(m.get("unit"))
          .append("\"}")
          .append(i + 1 < values.size() ? ",\n" : "\n");
    }
    json.append("]}\n");
    Files.writeString(out, json.toString());
    System.out.print(json);
  }

  private static Map<String, Object> v(String name, Object value, String unit) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("value", value);
    m.put("unit", unit);
    return m;
  }

  private static double ms(long[] sorted, double p) {
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return round(sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6);
  }

  private static double round(double x) {
    return Math.round(x * 100) / 100.0;
  }
}
