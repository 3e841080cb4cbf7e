package org.avsnode.bls.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsSecretKey;
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

/**
 * N signatures by one key over distinct messages, as in a slot leader's gossiped preconfirmations
 * (one post holds up to 20 ms of them): checked one by one ({@code verifyEach}, what a follower did
 * until 2026-12-07), with the pairing-per-set batch ({@code batchVerify}, one thread) and with
 * {@link Bls#batchVerifyByKey} (sums per key, two Miller loops). Same run, so the ratios hold on a
 * noisy machine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class OneKeyBatchBenchmark {
  @Param({"20", "100"})
  public int n;

  private List<SignatureSet> sets;

  @Setup
  public void setup() {
    BlsSecretKey leader = BenchInputs.key(0);
    sets = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] m = BenchInputs.distinctMessage(i);
      sets.add(new SignatureSet(leader.publicKey(), m, leader.sign(m)));
    }
    if (!verifyEach() || !Bls.batchVerify(sets, 1) || !Bls.batchVerifyByKey(sets)) {
      throw new IllegalStateException("benchmark input does not verify");
    }
  }

  @Benchmark
  public boolean verifyEach() {
    boolean ok = true;
    for (SignatureSet s : sets) {
      ok &= Bls.verify(s.publicKey(), s.message(), s.signature());
    }
    return ok;
  }

  @Benchmark
  public boolean batchVerify() {
    return Bls.batchVerify(sets, 1);
  }

  @Benchmark
  public boolean batchVerifyByKey() {
    return Bls.batchVerifyByKey(sets);
  }
}
