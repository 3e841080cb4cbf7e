package org.avsnode.bls.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.SignatureSet;
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

/** Batch verification of N independent (key, distinct message, signature) sets. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class BatchVerifyBenchmark {
  @Param({"1000"})
  public int n;

  @Param({"1", "2"})
  public int threads;

  private List<SignatureSet> sets;

  @Setup
  public void setup() {
    BenchInputs in = BenchInputs.load(n);
    List<BlsPublicKey> keys = in.decodedKeys();
    sets = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] m = BenchInputs.distinctMessage(i);
      BlsSignature s = BenchInputs.key(i).sign(m);
      sets.add(new SignatureSet(keys.get(i), m, s));
    }
    if (!Bls.batchVerify(sets, threads)) {
      throw new IllegalStateException("benchmark input does not verify");
    }
  }

  @Benchmark
  public boolean batchVerify() {
    return Bls.batchVerify(sets, threads);
  }
}
