package org.avsnode.operator.app.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.avsnode.contracts.bindings.VerdictOracle;
import org.avsnode.contracts.deploy.Chain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.tx.ReadonlyTransactionManager;

/**
 * VITAL on the devnet (the acceptance test of issues 10 and 11): eight operators run MACH and
 * VITAL, two of them read their L2 through a lying proxy, the rollup's proposer posts a wrong root
 * for every third output. Every wrong output is invalidated on L1 by a verdict certificate, every
 * good output that had time is validated, no good output is invalidated, no honest operator is
 * slashed; the one faulty operator is slashed exactly once for signing both verdicts on one output
 * and exactly once for attesting (MACH) to the output the quorum invalidated.
 *
 * <p>Beside it runs the devnet's validity rollup (real Groth16 proofs from snarkjs, checked by each
 * operator against the rollup's verifier with the public inputs it rebuilt): batch 3 is committed
 * with a wrong state root, batch 4's published proof has tampered bytes, batch 5's is a valid proof
 * of other public inputs, and one operator's key signs INVALID on a good commitment and VALID on
 * the wrong root. The wrong root is invalidated on L1 and the batch committed again and validated;
 * neither bad proof gets a VALID record; the good commitments are validated; each planted verdict
 * is slashed exactly once.
 */
class DevnetVitalIT {

  @Test
  @Timeout(300)
  void wrongOutputsAreInvalidatedOnL1AndGoodOnesValidated(@TempDir Path dir) throws Exception {
    StringWriter text = new StringWriter();
    Progress progress = new Progress(new PrintWriter(text, true));
    DevnetOptions options =
        new DevnetOptions(
            8,
            0,
            false,
            2,
            dir,
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            64,
            6667,
            Optional.empty(),
            1,
            false,
            3,
            2,
            true,
            Optional.empty(),
            DevnetOptions.DEFAULT_SUBMIT_EVERY_L1_BLOCKS);
    Devnet devnet = new Devnet(options, progress).withZk(new ZkRollup.Faults(3, 4, 5, true));
    try {
      devnet.start();
      // output #2 is wrong (every third is); wait until it is on L1 and decided
      DevnetAcceptanceIT.waitFor(
          "output #2 invalidated on L1",
          Duration.ofSeconds(120),
          () -> progress.invalidatedOnChain.contains(2L),
          text);
      // the output the faulty operator contradicted itself on may miss its quorum (its verdicts
      // stop counting there: 5 of 8 < 2/3); every other good output is validated
      long contradicted =
          devnet.contradictingOperator().isPresent() ? contradictedOutput(devnet) : -1;
      List<Long> good =
          java.util.stream.Stream.of(0L, 1L, 3L).filter(i -> i != contradicted).toList();
      DevnetAcceptanceIT.waitFor(
          "outputs " + good + " validated on L1",
          Duration.ofSeconds(30),
          () -> progress.validatedOnChain.containsAll(good),
          text);
      VerdictOracle v =
          VerdictOracle.load(
              devnet.deployment().contracts().verdictOracle(),
              devnet.l1().web3j(),
              new ReadonlyTransactionManager(devnet.l1().web3j(), devnet.deployment().deployer()),
              Chain.gasProvider(devnet.l1().web3j(), Chain.DEFAULT_GAS_LIMIT));
      BigInteger rollup = BigInteger.valueOf(devnet.rollupId());
      for (long i : List.of(2L)) {
        assertThat(v.isInvalidated(rollup, BigInteger.valueOf(i)).send())
            .as("output " + i)
            .isTrue();
        assertThat(v.isValidated(rollup, BigInteger.valueOf(i)).send()).as("output " + i).isFalse();
      }
      for (long i : good) {
        assertThat(v.isValidated(rollup, BigInteger.valueOf(i)).send()).as("output " + i).isTrue();
        assertThat(v.isInvalidated(rollup, BigInteger.valueOf(i)).send())
            .as("output " + i)
            .isFalse();
      }
      // the same proposals as dispute games (a second rollup id, the fault-proof shape): game
      // #2 carries the wrong root claim and is invalidated, the others validated
      long games = devnet.gameRollupId();
      DevnetAcceptanceIT.waitFor(
          "game #2 invalidated and games #0, #1, #3 validated on L1",
          Duration.ofSeconds(40),
          () ->
              progress.gamesInvalidatedOnChain.contains(2L)
                  && progress.gamesValidatedOnChain.containsAll(List.of(0L, 1L, 3L)),
          text);
      assertThat(v.isInvalidated(BigInteger.valueOf(games), BigInteger.TWO).send()).isTrue();
      assertThat(v.gameFactoryOf(BigInteger.valueOf(games)).send())
          .isEqualToIgnoringCase(devnet.deployment().contracts().disputeGameFactory());
      assertThat(progress.gamesInvalidatedOnChain).allMatch(i -> i % 3 == 2);
      // the INVALID verdict certificate of output #2 verifies with the Java library and with the
      // node's endpoint, as the contract verified it
      String certJson =
          get(devnet.operators().get(0).apiUrl() + "/v1/vital/certificates/" + rollup + "/2");
      org.avsnode.certificate.Certificate cert =
          org.avsnode.certificate.Certificate.fromJson(certJson);
      assertThat(cert.messageType()).isEqualTo("OutputVerdict");
      assertThat(((org.avsnode.bls.eip712.OutputVerdict) cert.message()).valid()).isFalse();
      org.avsnode.certificate.OperatorSetSnapshot snapshot =
          devnet.contracts().operatorSetAt(cert.stakeEpoch().getAsLong());
      assertThat(
              org.avsnode.certificate.CertificateVerifier.verify(
                      cert,
                      snapshot,
                      devnet.domain(),
                      org.avsnode.certificate.VerifierPolicy.defaults()
                          .withMessageTypes("OutputVerdict"))
                  .isValid())
          .isTrue();
      // a verdict certificate never passes for finality under the default policy
      assertThat(
              org.avsnode.certificate.CertificateVerifier.verify(
                      cert,
                      snapshot,
                      devnet.domain(),
                      org.avsnode.certificate.VerifierPolicy.defaults())
                  .isValid())
          .isFalse();
      assertThat(post(devnet.operators().get(3).apiUrl() + "/v1/certificates/verify", certJson))
          .contains("\"valid\":true");
      // no good output invalidated, no wrong one validated, whatever else was decided meanwhile
      assertThat(progress.invalidatedOnChain).allMatch(i -> i % 3 == 2);
      assertThat(progress.validatedOnChain).allMatch(i -> i % 3 != 2);
      // the faulty operator also attested to the invalidated output #2 with the posted root: an
      // aggregator refused it (the quorum invalidated it) and submitted it as MACH evidence
      DevnetAcceptanceIT.waitFor(
          "the attestation to invalidated output #2 slashed",
          Duration.ofSeconds(40),
          devnet::invalidOutputAttestationSlashed,
          text);
      assertThat(devnet.invalidOutputAttested()).isEqualTo(BigInteger.TWO);
      long refusedByAggregators =
          devnet.operators().subList(0, 2).stream()
              .map(DevnetVitalIT::scrape)
              .filter(
                  m ->
                      m.matches(
                          "(?s).*avs_mach_attestations_received_total\\{outcome=\"invalidated_output\",?\\}"
                              + " [1-9].*"))
              .count();
      assertThat(refusedByAggregators).as("aggregators that refused it").isPositive();
      checkZkRollup(devnet, text);
      // honest operators were not slashed: every slashing event is against the faulty operator,
      // one per offence. Two offences always: the contradiction and the attestation to the
      // invalidated output; a third may come first: that attestation conflicts with the one the
      // operator's own MACH signed honestly for the block, and an aggregator that gets it before
      // its node has read the invalidation from L1 sees a MACH equivocation (also true)
      Object logs =
          devnet
              .l1()
              .rawCall(
                  "eth_getLogs",
                  List.of(
                      java.util.Map.of(
                          "fromBlock",
                          "0x0",
                          "toBlock",
                          "latest",
                          "address",
                          devnet.deployment().contracts().slashingCoordinator())));
      List<?> slashes = (List<?>) logs;
      String faulty =
          devnet.contradictingOperator().orElseThrow().address().substring(2).toLowerCase();
      String planter = devnet.zkPlanter().orElseThrow().address().substring(2).toLowerCase();
      java.util.Set<Integer> kinds = new java.util.HashSet<>();
      int planterSlashes = 0;
      List<Object> contradictorSlashes = new java.util.ArrayList<>();
      for (Object o : slashes) {
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> log = (java.util.Map<String, Object>) o;
        @SuppressWarnings("unchecked")
        List<String> topics = (List<String>) log.get("topics");
        if (topics.size() < 3) {
          continue; // SequencerInboxSet, ZkProposerSet: not a slashing
        }
        int kind = new BigInteger(topics.get(1).substring(2), 16).intValueExact();
        if (topics.get(2).toLowerCase().endsWith(planter)) {
          // 5: ZK_VERDICT_CONTRADICTED, the planted verdict's only offence
          assertThat(kind).as("the planter's offence").isEqualTo(5);
          planterSlashes++;
          continue;
        }
        assertThat(topics.get(2).toLowerCase()).endsWith(faulty);
        kinds.add(kind);
        contradictorSlashes.add(o);
      }
      // two planted verdicts (INVALID on a good commitment, VALID on a wrong root): each once
      assertThat(planterSlashes).as("the planted ZK verdicts, each slashed once").isEqualTo(2);
      slashes = contradictorSlashes;
      // SlashingCoordinator.EvidenceType: 0 MACH_EQUIVOCATION, 1 VITAL_CONTRADICTION,
      // 3 MACH_INVALID_OUTPUT; each offence slashed once
      assertThat(kinds).as("offences slashed").contains(1, 3).isSubsetOf(0, 1, 3);
      assertThat(slashes).as("slashing events, one per offence").hasSize(kinds.size());
      DevnetAcceptanceIT.waitFor(
          "the contradiction slashed", Duration.ofSeconds(5), devnet::contradictionSlashed, text);
      // the node reports its verdicts in its metrics: valid and invalid signed, none refused
      String metrics = scrape(devnet.operators().get(3));
      assertThat(metrics)
          .as("op3's metrics: verdicts signed, MACH refusals")
          .containsPattern("avs_vital_verdicts_total\\{outcome=\"valid\",?\\} [1-9]")
          .containsPattern("avs_vital_verdicts_total\\{outcome=\"invalid\",?\\} [1-9]")
          .doesNotContain("outcome=\"refused\"")
          // MACH consulted VITAL: blocks after a wrong output were not attested until the next
          // good output was validated locally
          .containsPattern(
              "avs_mach_attestations_signed_total\\{outcome=\"refused_vital_invalid\",?\\} [1-9]");
      // the operators on a lying L2 node: their VITAL abstained (two sources disagree) and never
      // signed a verdict
      for (DevnetOperator liar : devnet.operators().subList(6, 8)) {
        assertThat(liar.lying).isTrue();
        DevnetAcceptanceIT.waitFor(
            liar.name() + " abstained",
            Duration.ofSeconds(40),
            () ->
                scrape(liar)
                    .matches("(?s).*avs_vital_verdicts_total\\{outcome=\"abstain\",?\\} [1-9].*"),
            text);
        assertThat(scrape(liar))
            .doesNotContain("avs_vital_verdicts_total{outcome=\"valid\"")
            .doesNotContain("avs_vital_verdicts_total{outcome=\"invalid\"");
      }
      devnet.printSummary();
      assertThat(text.toString())
          .as("the summary lines")
          .containsPattern("good outputs invalidated: 0")
          .containsPattern(
              "ZK rollup 44: .* the planted INVALID on a good commitment was slashed, the planted"
                  + " VALID on a wrong root was slashed")
          .containsPattern("contradicting op2 0x[0-9a-f]+: SLASHED on chain")
          .containsPattern("op2 attested to invalidated output #2: SLASHED on chain");
    } finally {
      devnet.close();
    }
  }

  /**
   * The validity rollup's outcomes: each fault caught, no VALID record from a bad proof, no good
   * commitment invalidated, the good ones validated.
   */
  private static void checkZkRollup(Devnet devnet, StringWriter text) throws Exception {
    ZkRollup zk = devnet.zkRollup().orElseThrow();
    java.util.function.LongFunction<Optional<ZkRollup.Committed>> liveOf =
        batch ->
            zk.committed.values().stream()
                .filter(c -> c.batchNumber() == batch && !c.wrongRoot())
                .findFirst();
    DevnetAcceptanceIT.waitFor(
        "ZK batches 1, 2, 3 (committed again) and 6 validated, the wrong root of batch 3"
            + " invalidated",
        Duration.ofSeconds(90),
        () ->
            java.util.stream.LongStream.of(1, 2, 3, 6)
                    .allMatch(
                        b ->
                            liveOf
                                .apply(b)
                                .map(c -> Boolean.FALSE.equals(zk.decided.get(c.commitmentIndex())))
                                .orElse(false))
                && zk.committed.values().stream()
                    .anyMatch(
                        c ->
                            c.batchNumber() == 3
                                && c.wrongRoot()
                                && Boolean.TRUE.equals(zk.decided.get(c.commitmentIndex()))),
        text);
    DevnetAcceptanceIT.waitFor(
        "the planted ZK verdicts slashed",
        Duration.ofSeconds(30),
        () -> devnet.zkPlantSlashed() && devnet.zkPlantValidSlashed(),
        text);
    // batches 4 and 5 (and 8, 10, ... by now) were published with bad proofs only: rejected by
    // the operators, never VALID
    assertThat(zk.badProofs.keySet())
        .extracting(i -> zk.committed.get(i).batchNumber())
        .contains(4L, 5L)
        .allMatch(b -> b % 4 == 0 || b % 5 == 0);
    for (BigInteger i : zk.badProofs.keySet()) {
      assertThat(zk.decided.get(i)).as("commitment " + i + " (bad proof)").isNotEqualTo(false);
    }
    // no good commitment invalidated; every invalidated one carried the wrong root
    zk.decided.forEach(
        (i, invalid) -> {
          if (invalid) {
            assertThat(zk.committed.get(i).wrongRoot()).as("commitment " + i).isTrue();
          }
        });
    String metrics = scrape(devnet.operators().get(3));
    assertThat(metrics)
        .as("op3's ZK proof checks")
        .containsPattern("avs_vital_proofs_checked_total\\{outcome=\"verifies\",?\\} [1-9]")
        .containsPattern("avs_vital_proofs_checked_total\\{outcome=\"rejected\",?\\} [1-9]");
    String aggregators = scrape(devnet.operators().get(0)) + scrape(devnet.operators().get(1));
    assertThat(aggregators)
        .containsPattern("avs_vital_zk_verdict_evidence_total\\{outcome=\"slashed\",?\\} [12]");
  }

  private static long contradictedOutput(Devnet devnet) {
    BigInteger i = devnet.contradictedOutput();
    return i == null ? -1 : i.longValueExact();
  }

  private static String get(String url) throws Exception {
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static String post(String url, String body) throws Exception {
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static String scrape(DevnetOperator op) {
    try {
      return java.net.http.HttpClient.newHttpClient()
          .send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(op.apiUrl() + "/metrics"))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (Exception e) {
      return "";
    }
  }
}
