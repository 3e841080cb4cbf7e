package org.avsnode.bls.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.OptimisticAggregator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * An aggregator receives N encoded signatures over one message from registered (already validated)
 * keys and must produce the aggregate of the valid ones. Every variant starts from the raw bytes.
 *
 * <ul>
 *   <li>{@code a_verifyEachThenAggregate}: decode with checks, verify every signature, aggregate
 *       the valid ones (what eigensdk-go's BLS aggregation service does);
 *   <li>{@code b_optimisticAllValid}: the aggregator's path, {@code aggregateEncoded}: decode
 *       (flags + on-curve, in parallel), add all, one subgroup check of the sum, verify once;
 *   <li>{@code c_optimisticOnePercentInvalid}: as (b) with 1% invalid signatures (valid G2 points
 *       over another message) spread over the input, localised by recursive halving;
 *   <li>{@code e_optimisticCheckedDecode}: as (b) but every signature decoded with its own subgroup
 *       check first, single-threaded (the strict {@code BlsSignature.fromBytes} + {@code
 *       aggregate});
 *   <li>{@code floor}: N strict decodes (with subgroup checks) + N unchecked adds + one
 *       fastAggregateVerify.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2)
@Measurement(iterations = 3)
public class AggregationBenchmark {
  @Param({"1000", "10000"})
  public int n;

  private List<BlsPublicKey> keys;
  private byte[][] valid;
  private byte[][] onePercentBad;

  @Setup
  public void setup() {
    BenchInputs in = BenchInputs.load(n);
    keys = in.decodedKeys();
    valid = in.signatures;
    onePercentBad = in.signatures.clone();
    int bad = Math.max(1, n / 100);
    java.util.Random rnd = new java.util.Random(1);
    java.util.Set<Integer> chosen = new java.util.HashSet<>();
    while (chosen.size() < bad) {
      chosen.add(rnd.nextInt(n));
    }
    for (int i : chosen) {
      onePercentBad[i] = in.wrongSignatures[i];
    }
    if (c_optimisticOnePercentInvalid().invalidIndices().size() != bad) {
      throw new IllegalStateException("optimistic aggregation missed invalid signatures");
    }
  }

  private List<BlsSignature> decode(byte[][] encoded) {
    List<BlsSignature> out = new ArrayList<>(encoded.length);
    for (byte[] e : encoded) {
      out.add(BlsSignature.fromBytes(e));
    }
    return out;
  }

  @Benchmark
  public BlsSignature a_verifyEachThenAggregate() {
    List<BlsSignature> ok = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      BlsSignature s = BlsSignature.fromBytes(valid[i]);
      if (Bls.verify(keys.get(i), BenchInputs.MESSAGE, s)) {
        ok.add(s);
      }
    }
    return BlsSignature.aggregate(ok);
  }

  @Benchmark
  public OptimisticAggregator.Result b_optimisticAllValid() {
    return OptimisticAggregator.aggregateEncoded(BenchInputs.MESSAGE, keys, List.of(valid));
  }

  @Benchmark
  public OptimisticAggregator.Result c_optimisticOnePercentInvalid() {
    return OptimisticAggregator.aggregateEncoded(BenchInputs.MESSAGE, keys, List.of(onePercentBad));
  }

  @Benchmark
  public OptimisticAggregator.Result e_optimisticCheckedDecode() {
    return OptimisticAggregator.aggregate(BenchInputs.MESSAGE, keys, decode(valid));
  }

  @Benchmark
  public boolean floor() {
    BlsSignature agg = BlsSignature.aggregate(decode(valid));
    return Bls.fastAggregateVerify(keys, BenchInputs.MESSAGE, agg);
  }
}
