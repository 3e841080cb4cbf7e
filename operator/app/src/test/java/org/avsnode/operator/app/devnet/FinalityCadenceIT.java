package org.avsnode.operator.app.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Finality on L1 by the cadence (issue 13): with {@code submit-every-l1-blocks} the aggregators
 * submit the latest certified block once that many L1 blocks have passed since the oracle's last
 * finalization, not every block; a consumer's {@code requestFinality} gets a block that the cadence
 * skipped finalized at once; when one aggregator stops, the other keeps finalizing; when the L2
 * stops, its last certified block still reaches L1; the devnet's summary prints the amortized gas
 * per L2 block from the submissions it saw.
 */
class FinalityCadenceIT {
  private static final long EVERY = 8;

  @Test
  @Timeout(240)
  void finalizesByTheCadenceAndOnRequest() throws Exception {
    try (RunningDevnet run =
        new RunningDevnet(
            "finality-cadence-it", d -> DevnetOptions.defaults(d).withSubmitEvery(EVERY))) {
      Devnet devnet = run.devnet;
      Progress progress = devnet.progress();
      long rollup = devnet.rollupId();
      // three periodic finalizations
      DevnetAcceptanceIT.waitFor(
          "three finalizations on L1",
          Duration.ofSeconds(90),
          () -> accepted(progress).size() >= 3,
          new java.io.StringWriter());
      List<Progress.Submission> subs = accepted(progress);
      List<Long> l1Blocks = new ArrayList<>();
      for (Progress.Submission s : subs) {
        l1Blocks.add(devnet.contracts().finalizedAtL1Block(rollup, s.height()).orElseThrow());
      }
      for (int i = 1; i < l1Blocks.size(); i++) {
        assertThat(l1Blocks.get(i) - l1Blocks.get(i - 1))
            .as("L1 blocks between finalizations %d and %d: %s", i - 1, i, run.console())
            .isGreaterThanOrEqualTo(EVERY);
        // not every block: the heights in between were certified, not submitted
        assertThat(subs.get(i).height() - subs.get(i - 1).height()).isGreaterThan(EVERY / 2);
      }
      for (long h = subs.get(0).height() + 1; h < subs.get(1).height(); h++) {
        assertThat(progress.firstCertificates).containsKey(h);
        assertThat(devnet.contracts().isFinalized(rollup, h)).as("L2 #%d on L1", h).isFalse();
      }

      // a consumer asks for a certified block that the cadence skipped (it never goes back to
      // it): final within seconds
      long wanted = subs.get(subs.size() - 1).height() - 1;
      assertThat(progress.firstCertificates).containsKey(wanted);
      assertThat(devnet.contracts().isFinalized(rollup, wanted)).isFalse();
      devnet.requestFinality(wanted);
      DevnetAcceptanceIT.waitFor(
          "the requested block finalized",
          Duration.ofSeconds(15),
          () -> devnet.contracts().isFinalized(rollup, wanted),
          new java.io.StringWriter());
      // its receipt reaches the console after the oracle shows it; then the other aggregator's
      // grace period passes without a duplicate
      DevnetAcceptanceIT.waitFor(
          "the requested block's submission reported",
          Duration.ofSeconds(10),
          () -> progress.submissions.stream().anyMatch(s -> s.height() == wanted),
          new java.io.StringWriter());
      Thread.sleep(4_000);
      List<Progress.Submission> forWanted;
      synchronized (progress.submissions) {
        forWanted = progress.submissions.stream().filter(s -> s.height() == wanted).toList();
      }
      assertThat(forWanted).as("submissions of the requested block").hasSize(1);
      assertThat(forWanted.get(0).accepted()).isTrue();

      // the aggregator of record for half the rounds stops: the other one keeps finalizing (after
      // its grace period for the rounds that were not its own)
      devnet.stopAggregator(0, "cadence failover check");
      Thread.sleep(3_000); // a submission op0 had in flight lands or is dropped
      long before = accepted(progress).size();
      DevnetAcceptanceIT.waitFor(
          "two more finalizations after op0's aggregator stopped",
          Duration.ofSeconds(60),
          () -> accepted(progress).size() >= before + 2,
          new java.io.StringWriter());
      List<Progress.Submission> after = accepted(progress);
      for (Progress.Submission s : after.subList((int) before, after.size())) {
        assertThat(s.aggregator()).as("finalized after op0 stopped: %s", s).isEqualTo("op1");
      }

      // the L2 stops making blocks: no new certificate comes, yet the last certified block still
      // goes to L1 when its turn comes (the cadence's own tick, not a certificate, starts it)
      // right after a periodic finalization, two more blocks certified, then the L2 stops
      int finalizations = accepted(progress).size();
      DevnetAcceptanceIT.waitFor(
          "a periodic finalization",
          Duration.ofSeconds(30),
          () -> accepted(progress).size() > finalizations,
          new java.io.StringWriter());
      long justFinal = accepted(progress).get(accepted(progress).size() - 1).height();
      DevnetAcceptanceIT.waitFor(
          "two blocks certified past the finalization",
          Duration.ofSeconds(10),
          () -> progress.firstCertificates.containsKey(justFinal + 2),
          new java.io.StringWriter());
      stopL2Mining(devnet.l2RpcUrl());
      Thread.sleep(2_500); // a block in flight is certified
      long lastCertified =
          progress.firstCertificates.keySet().stream().mapToLong(x -> x).max().orElseThrow();
      assertThat(devnet.contracts().isFinalized(rollup, lastCertified))
          .as("L2 #%d final before its round", lastCertified)
          .isFalse();
      DevnetAcceptanceIT.waitFor(
          "the last certified block finalized after the L2 stopped",
          Duration.ofSeconds(45),
          () -> devnet.contracts().isFinalized(rollup, lastCertified),
          new java.io.StringWriter());
      assertThat(progress.firstCertificates.keySet().stream().mapToLong(x -> x).max().orElseThrow())
          .as("no block after the L2 stopped")
          .isEqualTo(lastCertified);

      // the amortized figure is the submissions' gas after the first over the blocks covered
      String line = devnet.amortizedLine(progress.submissions);
      Matcher m =
          Pattern.compile(
                  "L1 gas per finalized L2 block: ([\\d,]+) amortized \\(([\\d,]+) gas over L2"
                      + " #(\\d+)\\.\\.#(\\d+), (\\d+) blocks")
              .matcher(line);
      assertThat(m.find()).as(line).isTrue();
      List<Progress.Submission> all = new ArrayList<>(progress.submissions);
      long first = accepted(progress).get(0).height();
      BigInteger gas = BigInteger.ZERO;
      for (Progress.Submission s : all) {
        if (!(s.accepted() && s.height() == first)) {
          gas = gas.add(s.gasUsed());
        }
      }
      long last = Long.parseLong(m.group(4));
      assertThat(Long.parseLong(m.group(3))).isEqualTo(first + 1);
      assertThat(new BigInteger(m.group(2).replace(",", ""))).isEqualTo(gas);
      assertThat(Long.parseLong(m.group(1).replace(",", "")))
          .isEqualTo(gas.longValueExact() / (last - first));
    }
  }

  /** The L2 anvil stops mining: no automine, no interval mining. */
  private static void stopL2Mining(String rpcUrl) throws Exception {
    rpc(rpcUrl, "evm_setAutomine", "[false]");
    rpc(rpcUrl, "evm_setIntervalMining", "[0]");
  }

  private static void rpc(String rpcUrl, String method, String params) throws Exception {
    java.net.http.HttpResponse<String> r =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(rpcUrl))
                    .header("Content-Type", "application/json")
                    .POST(
                        java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\""
                                + method
                                + "\",\"params\":"
                                + params
                                + "}"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.body()).as(method).doesNotContain("\"error\"");
  }

  private static List<Progress.Submission> accepted(Progress p) {
    List<Progress.Submission> out = new ArrayList<>();
    synchronized (p.submissions) {
      for (Progress.Submission s : p.submissions) {
        if (s.accepted()) {
          out.add(s);
        }
      }
    }
    out.sort(java.util.Comparator.comparingLong(Progress.Submission::height));
    return out;
  }
}
