package org.avsnode.operator.app.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.avsnode.certificate.Certificate;
import org.avsnode.certificate.CertificateVerifier;
import org.avsnode.certificate.OperatorSetSnapshot;
import org.avsnode.certificate.VerificationResult;
import org.avsnode.certificate.VerifierPolicy;
import org.avsnode.toolchain.AnvilProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance test of issue 6: a devnet of 8 operators, 2 offline and 1 equivocating, two
 * aggregators. Certificates keep coming at a 2/3 threshold; every certificate verifies with the
 * Java library and on chain; the equivocating operator is slashed exactly once; when the first
 * aggregator is stopped the second completes the certificates; every process stops at the end.
 */
class DevnetAcceptanceIT {

  /**
   * Reads {@code GET /v1/finality/{rollupId}/stream} until two certificate events arrived and
   * checks that each is a well-formed certificate that the node also serves by height.
   */
  private static void assertCertificateStream(String apiUrl, long rollupId) throws Exception {
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpResponse<java.io.InputStream> resp =
        client.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(apiUrl + "/v1/finality/" + rollupId + "/stream"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofInputStream());
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.headers().firstValue("content-type").orElse(""))
        .startsWith("text/event-stream");
    List<Certificate> received = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (java.io.BufferedReader r =
                  new java.io.BufferedReader(
                      new java.io.InputStreamReader(
                          resp.body(), java.nio.charset.StandardCharsets.UTF_8))) {
                // an event's data may span several "data:" lines, joined with newlines (SSE)
                StringBuilder data = new StringBuilder();
                String line;
                while (received.size() < 2 && (line = r.readLine()) != null) {
                  if (line.startsWith("id: ")) {
                    ids.add(line.substring(4));
                  } else if (line.startsWith("data: ")) {
                    data.append(data.length() == 0 ? "" : "\n").append(line.substring(6));
                  } else if (line.isEmpty() && data.length() > 0) {
                    received.add(Certificate.fromJson(data.toString()));
                    data.setLength(0);
                  }
                }
              } catch (Exception e) {
                // the assertion below reports what arrived
              }
            },
            "sse-reader");
    reader.setDaemon(true);
    reader.start();
    reader.join(Duration.ofSeconds(30).toMillis());
    resp.body().close();
    assertThat(received).as("certificate events on the stream").hasSize(2);
    for (int i = 0; i < received.size(); i++) {
      Certificate c = received.get(i);
      assertThat(c.finalityAttestation().rollupId()).isEqualTo(rollupId);
      assertThat(ids.get(i)).isEqualTo(Long.toString(c.finalityAttestation().l2BlockNumber()));
      java.net.http.HttpResponse<String> byHeight =
          client.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(
                          apiUrl
                              + "/v1/finality/"
                              + rollupId
                              + "/"
                              + c.finalityAttestation().l2BlockNumber()))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(byHeight.statusCode()).isEqualTo(200);
      assertThat(Certificate.fromJson(byHeight.body()).digest()).isEqualTo(c.digest());
    }
  }

  @Test
  @Timeout(240)
  void eightOperatorsTwoOfflineOneEquivocating(@TempDir Path dir) throws Exception {
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text, true);
    Progress progress = new Progress(out);
    DevnetOptions options =
        new DevnetOptions(
                8,
                2,
                true,
                2,
                dir,
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                64,
                6667,
                Optional.empty(),
                2,
                false)
            // this test checks every height on L1 (the failover of the aggregator of record)
            .withSubmitEvery(0);
    List<AnvilProcess> processes;
    Devnet devnet = new Devnet(options, progress);
    try {
      devnet.start();
      processes = devnet.processes();
      // 1. certificates keep coming, submitted on chain
      waitFor(Duration.ofSeconds(40), () -> progress.firstCertificates.size() >= 12, text);
      waitFor(
          Duration.ofSeconds(20),
          () -> progress.submissions.stream().filter(Progress.Submission::accepted).count() >= 8,
          text);

      // 1b. the certificate stream (SSE) of an aggregator delivers certificates as they come
      assertCertificateStream(devnet.operators().get(1).runtime.apiUrl(), devnet.rollupId());

      // 2. the equivocating operator is slashed exactly once
      DevnetOperator faulty = devnet.equivocatingOperator().orElseThrow();
      waitFor(Duration.ofSeconds(20), () -> !progress.evidenceTxs.isEmpty(), text);
      long h = devnet.equivocationHeight();
      assertThat(h).isGreaterThanOrEqualTo(0);
      byte[] faultyAddress = org.avsnode.mach.chain.MachContracts.address(faulty.address());
      assertThat(devnet.contracts().evidenceUsed(faultyAddress, devnet.rollupId(), h)).isTrue();
      BigInteger slashed = Devnet.STAKE.multiply(BigInteger.valueOf(9)).divide(BigInteger.TEN);
      waitFor(
          Duration.ofSeconds(15),
          () -> devnet.stakeOf(faulty, devnet.contracts().currentEpoch() + 1).equals(slashed),
          text);
      long epoch = devnet.contracts().currentEpoch();
      assertThat(devnet.stakeOf(devnet.operators().get(0), epoch + 1)).isEqualTo(Devnet.STAKE);

      // 3. stop the first aggregator: the second completes the certificates of every height
      long stoppedAt =
          progress.firstCertificates.keySet().stream().mapToLong(x -> x).max().orElseThrow();
      devnet.stopAggregator(0, "acceptance test");
      long target = stoppedAt + 8;
      // the other aggregator submits op0's heights only after its grace period, so later heights
      // (its own) may be final before earlier ones: wait for every height of the range
      waitFor(
          Duration.ofSeconds(40),
          () ->
              java.util.stream.LongStream.rangeClosed(stoppedAt + 3, target)
                  .allMatch(x -> finalizedOnChain(devnet, x)),
          text);
      for (long height = stoppedAt + 3; height <= target; height++) {
        assertThat(devnet.contracts().isFinalized(devnet.rollupId(), height))
            .as(
                "L2 #%d finalized after the first aggregator stopped; devnet output:%n%s",
                height, text)
            .isTrue();
      }
      assertThat(
              progress.submissions.stream()
                  .anyMatch(
                      s ->
                          s.accepted()
                              && s.aggregator().equals("op1")
                              && s.height() % 2 == 0
                              && s.height() > stoppedAt))
          .as("op1 submitted a height that op0 was of record for")
          .isTrue();

      // 4. every certificate verifies with the Java library and with the registry's view
      Map<Long, Certificate> certs = Map.copyOf(progress.bestCertificates);
      assertThat(certs).hasSizeGreaterThanOrEqualTo(12);
      Map<Long, OperatorSetSnapshot> snapshots = new java.util.HashMap<>();
      int verified = 0;
      for (Certificate c : certs.values()) {
        long e = c.finalityAttestation().stakeEpoch();
        OperatorSetSnapshot s =
            snapshots.computeIfAbsent(e, x -> devnet.contracts().operatorSetAt(x));
        VerificationResult r =
            CertificateVerifier.verify(c, s, devnet.domain(), VerifierPolicy.defaults());
        assertThat(r.isValid())
            .as("L2 #%d: %s", c.finalityAttestation().l2BlockNumber(), r)
            .isTrue();
        BigInteger[] onChain = devnet.contracts().verifyCertificateView(c, s);
        assertThat(onChain[0]).isEqualTo(c.signedStake());
        assertThat(onChain[1]).isEqualTo(c.totalStake());
        verified++;
      }
      assertThat(verified).isEqualTo(certs.size());
      // the signer sets: never an offline operator, at least 2/3 of the stake
      for (Certificate c : certs.values()) {
        assertThat(c.signedStake().multiply(BigInteger.valueOf(10_000)))
            .isGreaterThanOrEqualTo(c.totalStake().multiply(BigInteger.valueOf(6667)));
        OperatorSetSnapshot s = snapshots.get(c.finalityAttestation().stakeEpoch());
        for (DevnetOperator off : devnet.operators().subList(6, 8)) {
          int pos =
              s.positionOf(org.avsnode.mach.chain.MachContracts.address(off.address()))
                  .orElseThrow();
          assertThat((c.signers()[pos / 8] >> (pos % 8)) & 1)
              .as("offline %s signed", off.name())
              .isZero();
        }
      }
      // one evidence transaction, no matter how many aggregators saw the equivocation
      assertThat(progress.evidenceTxs).hasSize(1);
    } finally {
      devnet.close();
    }
    for (AnvilProcess p : processes) {
      assertThat(p.isAlive()).isFalse();
    }
    for (DevnetOperator op : devnet.operators()) {
      assertThat(op.running()).isFalse();
    }
  }

  private static boolean finalizedOnChain(Devnet devnet, long height) {
    try {
      return devnet.contracts().isFinalized(devnet.rollupId(), height);
    } catch (RuntimeException e) {
      return false;
    }
  }

  static void waitFor(Duration max, BooleanSupplier condition, StringWriter log)
      throws InterruptedException {
    waitFor("condition", max, condition, log);
  }

  /** Waits for {@code condition}; on timeout the message names {@code what} first (CI cuts). */
  static void waitFor(String what, Duration max, BooleanSupplier condition, StringWriter log)
      throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(what + ": not met within " + max + "; devnet output:\n" + tail(log));
  }

  private static String tail(StringWriter w) {
    String s = w.toString();
    List<String> lines = new ArrayList<>(List.of(s.split("\n")));
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }
}
