package org.avsnode.certificate.bench;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.certificate.Certificate;
import org.avsnode.certificate.CertificateVerifier;
import org.avsnode.certificate.OperatorSetSnapshot;
import org.avsnode.certificate.SignerBitmap;
import org.avsnode.certificate.VerificationResult;
import org.avsnode.certificate.VerifierPolicy;
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
 * Full certificate verification (all checks, both signature decodes, key aggregation, one pairing)
 * against a snapshot of n operators, 3/4 of which signed; and the same starting from JSON.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class CertificateVerifyBenchmark {
  @Param({"16", "64"})
  public int n;

  private OperatorSetSnapshot snapshot;
  private Eip712Domain domain;
  private Certificate certificate;
  private String json;
  private BlsPublicKey singleKey;
  private byte[] singleDigest;
  private BlsSignature singleSignature;
  private final VerifierPolicy policy = VerifierPolicy.defaults();

  @Setup
  public void setup() {
    byte[] avs = new byte[20];
    avs[0] = (byte) 0xa5;
    domain = Eip712Domain.avsNode(31337, avs);
    List<BlsSecretKey> keys = new ArrayList<>();
    List<OperatorSetSnapshot.Operator> ops = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] ikm = new byte[32];
      new Random(i).nextBytes(ikm);
      BlsSecretKey k = BlsSecretKey.keyGen(ikm);
      keys.add(k);
      byte[] addr = new byte[20];
      addr[18] = (byte) (i >>> 8);
      addr[19] = (byte) i;
      ops.add(new OperatorSetSnapshot.Operator(i, addr, k.publicKey(), BigInteger.TEN, true));
    }
    snapshot = OperatorSetSnapshot.of(avs, 0, 5, ops);
    FinalityAttestation m = new FinalityAttestation(1, 100, new byte[32], new byte[32], 5);
    byte[] digest = m.digest(domain);
    List<Integer> signers = new ArrayList<>();
    List<BlsSignature> sigs = new ArrayList<>();
    for (int i = n / 4; i < n; i++) {
      signers.add(i);
      sigs.add(keys.get(i).sign(digest));
    }
    BlsSignature agg = BlsSignature.aggregate(sigs);
    certificate =
        Certificate.builder()
            .message(m)
            .digest(digest)
            .operatorSet(avs, 0)
            .signers(SignerBitmap.of(n, signers))
            .signedStake(BigInteger.TEN.multiply(BigInteger.valueOf(signers.size())))
            .totalStake(snapshot.totalStake())
            .thresholdBps(6667)
            .aggregateSignature(agg.toBytes())
            .aggregateSignatureEip2537(agg.toEip2537())
            .build();
    json = certificate.toJson();
    singleKey = keys.get(0).publicKey();
    singleDigest = digest;
    singleSignature = keys.get(0).sign(digest);
    if (!CertificateVerifier.verify(certificate, snapshot, domain, policy).isValid()) {
      throw new IllegalStateException("benchmark certificate does not verify");
    }
  }

  /** Baseline measured in the same run: one plain BLS Verify (hash-to-G2 + one pairing check). */
  @Benchmark
  public boolean baselineSingleBlsVerify() {
    return Bls.verify(singleKey, singleDigest, singleSignature);
  }

  @Benchmark
  public VerificationResult verify() {
    return CertificateVerifier.verify(certificate, snapshot, domain, policy);
  }

  @Benchmark
  public VerificationResult parseAndVerify() {
    return CertificateVerifier.verifyJson(json, snapshot, domain, policy);
  }
}
