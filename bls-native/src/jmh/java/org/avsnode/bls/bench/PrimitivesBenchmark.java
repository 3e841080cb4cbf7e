package org.avsnode.bls.bench;

import java.util.concurrent.TimeUnit;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.BlsSignature;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Single-signature primitives: sign, verify, decoding with all checks. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class PrimitivesBenchmark {
  private BlsSecretKey sk;
  private BlsPublicKey pk;
  private BlsSignature sig;
  private byte[] pkBytes;
  private byte[] sigBytes;

  @Setup
  public void setup() {
    sk = BenchInputs.key(1);
    pk = sk.publicKey();
    sig = sk.sign(BenchInputs.MESSAGE);
    pkBytes = pk.toBytes();
    sigBytes = sig.toBytes();
  }

  @Benchmark
  public BlsSignature sign() {
    return sk.sign(BenchInputs.MESSAGE);
  }

  @Benchmark
  public boolean verify() {
    return Bls.verify(pk, BenchInputs.MESSAGE, sig);
  }

  @Benchmark
  public BlsPublicKey decodePublicKey() {
    return BlsPublicKey.fromBytes(pkBytes);
  }

  @Benchmark
  public BlsSignature decodeSignature() {
    return BlsSignature.fromBytes(sigBytes);
  }
}
