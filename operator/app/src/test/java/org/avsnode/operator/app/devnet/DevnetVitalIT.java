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
 * VITAL on the devnet (issue 10, the part built so far): six operators run MACH and VITAL, the
 * rollup's proposer posts a wrong root for every third output; every wrong output is invalidated on
 * L1 by a verdict certificate, every good output that had time is validated, no good output is
 * invalidated, and nobody is slashed.
 */
class DevnetVitalIT {

  @Test
  @Timeout(300)
  void wrongOutputsAreInvalidatedOnL1AndGoodOnesValidated(@TempDir Path dir) throws Exception {
    StringWriter text = new StringWriter();
    Progress progress = new Progress(new PrintWriter(text, true));
    DevnetOptions options =
        new DevnetOptions(
            6,
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
            Optional.empty());
    Devnet devnet = new Devnet(options, progress);
    try {
      devnet.start();
      // outputs #2 and #5 are wrong (every third); wait until both are on L1 and decided
      DevnetAcceptanceIT.waitFor(
          Duration.ofSeconds(150),
          () -> progress.invalidatedOnChain.containsAll(List.of(2L, 5L)),
          text);
      DevnetAcceptanceIT.waitFor(
          Duration.ofSeconds(30),
          () -> progress.validatedOnChain.containsAll(List.of(0L, 1L, 3L, 4L)),
          text);
      VerdictOracle v =
          VerdictOracle.load(
              devnet.deployment().contracts().verdictOracle(),
              devnet.l1().web3j(),
              new ReadonlyTransactionManager(devnet.l1().web3j(), devnet.deployment().deployer()),
              Chain.gasProvider(devnet.l1().web3j(), Chain.DEFAULT_GAS_LIMIT));
      BigInteger rollup = BigInteger.valueOf(devnet.rollupId());
      for (long i : List.of(2L, 5L)) {
        assertThat(v.isInvalidated(rollup, BigInteger.valueOf(i)).send())
            .as("output " + i)
            .isTrue();
        assertThat(v.isValidated(rollup, BigInteger.valueOf(i)).send()).as("output " + i).isFalse();
      }
      for (long i : List.of(0L, 1L, 3L, 4L)) {
        assertThat(v.isValidated(rollup, BigInteger.valueOf(i)).send()).as("output " + i).isTrue();
        assertThat(v.isInvalidated(rollup, BigInteger.valueOf(i)).send())
            .as("output " + i)
            .isFalse();
      }
      // no good output invalidated, no wrong one validated, whatever else was decided meanwhile
      assertThat(progress.invalidatedOnChain).allMatch(i -> i % 3 == 2);
      assertThat(progress.validatedOnChain).allMatch(i -> i % 3 != 2);
      // nobody was slashed: the slashing coordinator has no event
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
      assertThat((List<?>) logs).isEmpty();
      // the node reports its verdicts in its metrics: valid and invalid signed, none refused
      DevnetOperator op = devnet.operators().get(3);
      String metrics =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(op.apiUrl() + "/metrics"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metrics)
          .containsPattern("avs_vital_verdicts_total\\{outcome=\"valid\",?\\} [1-9]")
          .containsPattern("avs_vital_verdicts_total\\{outcome=\"invalid\",?\\} [1-9]")
          .doesNotContain("outcome=\"refused\"")
          // MACH consulted VITAL: blocks after a wrong output were not attested until the next
          // good output was validated locally
          .containsPattern(
              "avs_mach_attestations_signed_total\\{outcome=\"refused_vital_invalid\",?\\} [1-9]");
      devnet.printSummary();
      assertThat(text.toString()).containsPattern("good outputs invalidated: 0");
    } finally {
      devnet.close();
    }
  }
}
