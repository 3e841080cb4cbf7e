package org.avsnode.operator.app.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.certificate.Certificate;
import org.avsnode.certificate.CertificateVerifier;
import org.avsnode.certificate.OperatorSetSnapshot;
import org.avsnode.certificate.SignerBitmap;
import org.avsnode.certificate.VerificationResult;
import org.avsnode.certificate.VerifierPolicy;
import org.avsnode.contracts.bindings.AvsRegistry;
import org.avsnode.contracts.deploy.DeploymentJson;
import org.avsnode.operator.app.OperatorCommand;
import org.avsnode.operator.chain.L1Exception;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;
import picocli.CommandLine;

/**
 * The three verifiers agree on every certificate of a devnet, valid and tampered: the Java library,
 * the registry contract ({@code finalityAttestationDigest} + {@code verifyCertificate} view), and
 * the {@code operator certificate verify} command (operator set from the chain and from a snapshot
 * file).
 */
class CertificateAgreementIT {

  @Test
  @Timeout(180)
  void libraryContractAndCommandAgree(@TempDir Path dir) throws Exception {
    Progress progress = new Progress(new PrintWriter(new StringWriter(), true));
    Devnet devnet =
        new Devnet(
            new DevnetOptions(
                4,
                0,
                false,
                1,
                dir.resolve("devnet"),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                64,
                6667,
                Optional.empty(),
                1,
                false),
            progress);
    try {
      devnet.start();
      DevnetAcceptanceIT.waitFor(
          Duration.ofSeconds(40), () -> progress.bestCertificates.size() >= 3, new StringWriter());
      Thread.sleep(500); // let the collection windows close
      Path deployment = dir.resolve("deployment.json");
      DeploymentJson.write(devnet.deployment(), deployment);
      List<Certificate> valid = new ArrayList<>(progress.bestCertificates.values()).subList(0, 3);
      Map<String, Certificate> cases = new LinkedHashMap<>();
      for (int i = 0; i < valid.size(); i++) {
        cases.put("valid#" + i, valid.get(i));
      }
      cases.putAll(tampered(valid.get(0), valid.get(1), devnet));
      AvsRegistry registry =
          AvsRegistry.load(
              devnet.deployment().contracts().avsRegistry(),
              devnet.l1().web3j(),
              new ReadonlyTransactionManager(devnet.l1().web3j(), devnet.deployment().deployer()),
              new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
      int threshold = devnet.contracts().thresholdBps();
      int n = 0;
      for (Map.Entry<String, Certificate> e : cases.entrySet()) {
        Certificate c = e.getValue();
        boolean expected = e.getKey().startsWith("valid");
        OperatorSetSnapshot snapshot =
            devnet.contracts().operatorSetAt(c.finalityAttestation().stakeEpoch());
        VerificationResult lib =
            CertificateVerifier.verify(
                c, snapshot, devnet.domain(), VerifierPolicy.minimumThreshold(threshold));
        boolean chain = onChain(devnet, registry, c, snapshot);
        Path certFile = dir.resolve(e.getKey().replace('#', '-') + ".json");
        Files.writeString(certFile, c.toJson());
        Path snapFile = dir.resolve(e.getKey().replace('#', '-') + "-set.json");
        Files.writeString(snapFile, snapshot.toJson());
        Run fromChain =
            run(
                "certificate",
                "verify",
                "--certificate",
                certFile.toString(),
                "--rpc-url",
                devnet.l1RpcUrl(),
                "--deployment",
                deployment.toString());
        Run fromFile =
            run(
                "certificate",
                "verify",
                "--certificate",
                certFile.toString(),
                "--operator-set",
                snapFile.toString(),
                "--chain-id",
                Long.toString(Devnet.L1_CHAIN_ID),
                "--verifying-contract",
                devnet.deployment().contracts().avsRegistry(),
                "--min-threshold-bps",
                Integer.toString(threshold));
        // the node's own verifier, over HTTP on a running operator
        java.net.http.HttpResponse<String> node =
            java.net.http.HttpClient.newHttpClient()
                .send(
                    java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(
                                devnet.operators().get(0).apiUrl() + "/v1/certificates/verify"))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(c.toJson()))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        String what =
            e.getKey()
                + " lib="
                + lib
                + " cmd="
                + fromChain.out
                + " / "
                + fromFile.out
                + " node="
                + node.body();
        assertThat(node.statusCode()).as(what).isEqualTo(200);
        com.fasterxml.jackson.databind.JsonNode verdict =
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(node.body());
        assertThat(verdict.get("valid").asBoolean()).as(what).isEqualTo(expected);
        if (!expected) {
          assertThat(verdict.get("reason").asText())
              .as(what)
              .isEqualTo(lib.reason().orElseThrow().name());
        }
        assertThat(lib.isValid()).as(what).isEqualTo(expected);
        assertThat(chain).as(what).isEqualTo(expected);
        assertThat(fromChain.code).as(what).isEqualTo(expected ? 0 : 1);
        assertThat(fromFile.code).as(what).isEqualTo(expected ? 0 : 1);
        assertThat(fromChain.out.strip())
            .as(what)
            .isEqualTo(
                expected ? "VALID" : "INVALID " + lib.reason().orElseThrow() + ": " + lib.detail());
        n++;
      }
      assertThat(n).isGreaterThanOrEqualTo(10);
      // usage errors exit 2
      assertThat(
              run(
                      "certificate",
                      "verify",
                      "--certificate",
                      dir.resolve("none.json").toString(),
                      "--operator-set",
                      "x",
                      "--chain-id",
                      "1",
                      "--verifying-contract",
                      "0x00")
                  .code)
          .isEqualTo(2);
      assertThat(run("certificate", "verify").code).isEqualTo(2);
    } finally {
      devnet.close();
    }
  }

  private static Map<String, Certificate> tampered(
      Certificate c, Certificate other, Devnet devnet) {
    Map<String, Certificate> out = new LinkedHashMap<>();
    FinalityAttestation m = c.finalityAttestation();
    byte[] hash = m.l2BlockHash();
    hash[0] ^= 1;
    FinalityAttestation otherHash =
        new FinalityAttestation(
            m.rollupId(), m.l2BlockNumber(), hash, m.outputRoot(), m.stakeEpoch());
    out.put("block hash changed, digest kept", c.toBuilder().message(otherHash).build());
    out.put(
        "block hash changed, digest recomputed",
        c.toBuilder().message(otherHash).digest(otherHash.digest(devnet.domain())).build());
    FinalityAttestation nextEpoch =
        new FinalityAttestation(
            m.rollupId(), m.l2BlockNumber(), m.l2BlockHash(), m.outputRoot(), m.stakeEpoch() + 1);
    out.put(
        "stake epoch changed",
        c.toBuilder().message(nextEpoch).digest(nextEpoch.digest(devnet.domain())).build());
    out.put(
        "signed stake inflated",
        c.toBuilder().signedStake(c.signedStake().add(BigInteger.ONE)).build());
    out.put(
        "signature of another block",
        c.toBuilder()
            .aggregateSignature(other.aggregateSignature())
            .aggregateSignatureEip2537(other.aggregateSignatureEip2537())
            .build());
    out.put(
        "EIP-2537 signature of another block",
        c.toBuilder().aggregateSignatureEip2537(other.aggregateSignatureEip2537()).build());
    OperatorSetSnapshot s = devnet.contracts().operatorSetAt(m.stakeEpoch());
    SignerBitmap bitmap = SignerBitmap.fromBytes(c.signers(), s.size());
    int[] signers = bitmap.signers();
    int dropped = signers[0];
    List<Integer> fewer = new ArrayList<>();
    for (int i : Arrays.copyOfRange(signers, 1, signers.length)) {
      fewer.add(i);
    }
    out.put(
        "signer removed, stake adjusted",
        c.toBuilder()
            .signers(SignerBitmap.of(s.size(), fewer))
            .signedStake(c.signedStake().subtract(s.operator(dropped).stake()))
            .build());
    out.put("threshold lowered", c.toBuilder().thresholdBps(1).build());
    return out;
  }

  /**
   * The registry's verdict: the digest of the message, the threshold and {@code verifyCertificate}
   * (signature and stakes). A revert of {@code verifyCertificate} is a rejection; any other failure
   * (the node unreachable, a malformed answer) fails the test instead of counting as a rejection.
   */
  private static boolean onChain(
      Devnet devnet, AvsRegistry registry, Certificate c, OperatorSetSnapshot snapshot)
      throws Exception {
    if (!Arrays.equals(c.operatorSetAvs(), devnet.contracts().registryBytes())
        || c.operatorSetId() != devnet.deployment().operatorSetId()) {
      return false;
    }
    FinalityAttestation m = c.finalityAttestation();
    byte[] digest =
        registry
            .finalityAttestationDigest(
                new AvsRegistry.FinalityAttestation(
                    BigInteger.valueOf(m.rollupId()),
                    BigInteger.valueOf(m.l2BlockNumber()),
                    m.l2BlockHash(),
                    m.outputRoot(),
                    BigInteger.valueOf(m.stakeEpoch())))
            .send();
    if (!Arrays.equals(digest, c.digest())) {
      return false;
    }
    if (c.thresholdBps()
        < registry.thresholdBps(BigInteger.valueOf(c.operatorSetId())).send().intValueExact()) {
      return false;
    }
    BigInteger[] stakes;
    try {
      stakes = devnet.contracts().verifyCertificateView(c, snapshot);
    } catch (L1Exception e) {
      if (isRevert(e)) {
        return false; // FutureEpoch, InvalidSignature, BelowThreshold, ...
      }
      throw new AssertionError("verifyCertificate failed without a revert: " + e.getMessage(), e);
    }
    return stakes[0].equals(c.signedStake()) && stakes[1].equals(c.totalStake());
  }

  /** A JSON-RPC error of an {@code eth_call} that reverted, as opposed to a transport failure. */
  static boolean isRevert(L1Exception e) {
    String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
    return e.kind() == L1Exception.Kind.RPC_ERROR && m.contains("revert");
  }

  @Test
  void anUnreachableNodeIsATestErrorNotARejection() {
    L1Exception down =
        new L1Exception(L1Exception.Kind.UNAVAILABLE, "eth_call", "connection refused", null);
    L1Exception reverted =
        new L1Exception(
            L1Exception.Kind.RPC_ERROR,
            "verifyCertificate",
            "Contract Call has been reverted by the EVM with the reason: 'InvalidSignature()'.",
            null);
    assertThat(isRevert(reverted)).isTrue();
    assertThat(isRevert(down)).isFalse();
  }

  private record Run(int code, String out) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = OperatorCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out + err.toString());
  }
}
