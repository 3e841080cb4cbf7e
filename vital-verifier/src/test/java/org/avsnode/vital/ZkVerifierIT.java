package org.avsnode.vital;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.avsnode.operator.chain.L1Client;
import org.avsnode.operator.chain.RetryPolicy;
import org.avsnode.operator.metrics.NoOpMetricsSystem;
import org.avsnode.operator.metrics.NodeMetrics;
import org.avsnode.toolchain.AnvilProcess;
import org.avsnode.toolchain.ZkProver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node's proof check ({@link VitalContracts#verifyProof}) against the Groth16 verifier {@code
 * zk/build.sh} generated, deployed on a real anvil, with real snarkjs proofs: a proof verifies only
 * with the public inputs of its own batch; a tampered proof, a proof of other inputs, a point off
 * the curve and inputs outside the field are rejected; an L1 endpoint that fails (WireMock in front
 * of the anvil) makes the check UNREACHABLE, and one that answers nonsense makes it REJECTED:
 * neither ever makes it VERIFIES.
 */
class ZkVerifierIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static AnvilProcess anvil;
  private static L1Client l1;
  private static String verifier;
  private static List<BigInteger> proof;
  private static List<BigInteger> inputs;
  private static List<BigInteger> otherInputs;

  private static byte[] random32() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return b;
  }

  private static L1Client client(String url) {
    return L1Client.http(
        url,
        Duration.ofSeconds(3),
        new RetryPolicy(2, Duration.ofMillis(20), Duration.ofMillis(40)),
        new NodeMetrics(new NoOpMetricsSystem()));
  }

  @BeforeAll
  static void deploy() throws Exception {
    Path zk = ZkProver.artifactsDir();
    anvil = AnvilProcess.builder().start();
    l1 = client(anvil.rpcUrl());
    verifier = ZkVerifierDeployment.deploy(l1, zk);
    byte[][] w = {random32(), random32(), random32(), random32()};
    try (ZkProver prover = ZkProver.start(zk, Duration.ofSeconds(120))) {
      proof = prover.prove(w[0], w[1], w[2], w[3]).words();
    }
    inputs = ZkPublicInputs.limbs(w[0], w[1], w[2], w[3]);
    otherInputs = ZkPublicInputs.limbs(w[0], w[1], w[2], random32());
  }

  @AfterAll
  static void stop() {
    if (l1 != null) {
      l1.close();
    }
    if (anvil != null) {
      anvil.close();
    }
  }

  private static VitalContracts contracts(L1Client c) {
    return new VitalContracts(c, verifier, verifier, verifier, 0);
  }

  @Test
  void aProofVerifiesOnlyWithItsOwnBatchsInputs() {
    VitalContracts c = contracts(l1);
    assertThat(c.verifyProof(verifier, proof, inputs).outcome())
        .isEqualTo(ZkBatchChecker.Outcome.VERIFIES);
    // a valid proof of other public inputs (unbound)
    assertThat(c.verifyProof(verifier, proof, otherInputs).outcome())
        .isEqualTo(ZkBatchChecker.Outcome.REJECTED);
    // each word of the proof tampered with, one at a time
    for (int i = 0; i < 8; i++) {
      List<BigInteger> t = new ArrayList<>(proof);
      t.set(i, t.get(i).add(BigInteger.ONE));
      assertThat(c.verifyProof(verifier, t, inputs).outcome())
          .as("word " + i + " tampered")
          .isEqualTo(ZkBatchChecker.Outcome.REJECTED);
    }
    // a point that is not on the curve, and a public input outside the scalar field
    List<BigInteger> offCurve = new ArrayList<>(proof);
    offCurve.set(0, BigInteger.ONE);
    offCurve.set(1, BigInteger.ONE);
    assertThat(c.verifyProof(verifier, offCurve, inputs).outcome())
        .isEqualTo(ZkBatchChecker.Outcome.REJECTED);
    List<BigInteger> outside = new ArrayList<>(inputs);
    outside.set(
        0,
        new BigInteger(
            "21888242871839275222246405745257275088548364400416034343698204186575808495617"));
    assertThat(c.verifyProof(verifier, proof, outside).outcome())
        .isEqualTo(ZkBatchChecker.Outcome.REJECTED);
  }

  @Test
  void aFailingOrLyingL1NeverMakesAProofVerify() {
    WireMockServer wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    try (L1Client faulty = client("http://127.0.0.1:" + wm.port() + "/")) {
      VitalContracts c = contracts(faulty);
      // the endpoint in front of the real anvil: it passes calls through
      wm.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(anvil.rpcUrl())));
      assertThat(c.verifyProof(verifier, proof, inputs).outcome())
          .isEqualTo(ZkBatchChecker.Outcome.VERIFIES);
      // 503 on every eth_call: unreachable, retried by the checker later
      wm.stubFor(
          post(anyUrl())
              .atPriority(1)
              .withRequestBody(containing("eth_call"))
              .willReturn(aResponse().withStatus(503)));
      ZkBatchChecker.Answer down = c.verifyProof(verifier, proof, inputs);
      assertThat(down.outcome()).isEqualTo(ZkBatchChecker.Outcome.UNREACHABLE);
      // a JSON-RPC error (a revert): rejected
      wm.resetMappings();
      wm.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(anvil.rpcUrl())));
      wm.stubFor(
          post(anyUrl())
              .atPriority(1)
              .withRequestBody(containing("eth_call"))
              .willReturn(
                  aResponse()
                      .withStatus(200)
                      .withBody(
                          "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":3,\"message\":\"execution"
                              + " reverted\"}}")));
      assertThat(c.verifyProof(verifier, proof, inputs).outcome())
          .isEqualTo(ZkBatchChecker.Outcome.REJECTED);
      // nonsense: a short word, a word that is neither 0 nor 1, broken JSON
      for (String result : List.of("\"0x01\"", "\"0x" + "0".repeat(63) + "2\"", "[1]", "null")) {
        wm.resetMappings();
        wm.stubFor(
            post(anyUrl())
                .withRequestBody(containing("eth_call"))
                .willReturn(
                    aResponse()
                        .withStatus(200)
                        .withBody("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + result + "}")));
        assertThat(c.verifyProof(verifier, proof, inputs).outcome())
            .as("answer " + result)
            .isEqualTo(ZkBatchChecker.Outcome.REJECTED);
      }
      wm.resetMappings();
      wm.stubFor(
          post(anyUrl())
              .withRequestBody(containing("eth_call"))
              .willReturn(aResponse().withStatus(200).withBody("{\"jsonrpc\":\"2.0\",")));
      assertThat(c.verifyProof(verifier, proof, inputs).outcome())
          .isNotEqualTo(ZkBatchChecker.Outcome.VERIFIES);
    } finally {
      wm.stop();
    }
  }
}
