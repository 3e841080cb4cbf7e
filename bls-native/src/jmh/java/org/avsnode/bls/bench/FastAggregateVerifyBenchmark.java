package org.avsnode.bls.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSignature;
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

/** FastAggregateVerify over N validated keys (key sum with unchecked adds + one pairing check). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class FastAggregateVerifyBenchmark {
  @Param({"100", "1000", "10000"})
  public int n;

  private List<BlsPublicKey> keys;
  private BlsSignature aggregate;

  @Setup
  public void setup() {
    BenchInputs in = BenchInputs.load(n);
    keys = in.decodedKeys();
    List<BlsSignature> sigs = new ArrayList<>(n);
    for (byte[] s : in.signatures) {
      sigs.add(BlsSignature.fromBytes(s));
    }
    aggregate = BlsSignature.aggregate(sigs);
    if (!Bls.fastAggregateVerify(keys, BenchInputs.MESSAGE, aggregate)) {
      throw new IllegalStateException("benchmark input does not verify");
    }
  }

  @Benchmark
  public boolean fastAggregateVerify() {
    return Bls.fastAggregateVerify(keys, BenchInputs.MESSAGE, aggregate);
  }
}
