package org.avsnode.operator.app.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chaos report's checks: a clean run passes, and each kind of breach fails it by name. */
class ChaosReportTest {

  private static Chaos.Report clean() {
    Chaos.Report r = new Chaos.Report();
    r.heights = 100;
    r.certified = 98;
    r.uncertified.add(Map.of("height", 5L, "explained", true));
    r.rssBoundMb = Chaos.RSS_BOUND_MB;
    r.maxRssMb = 200;
    r.rssSamples = 10;
    return r;
  }

  @Test
  void aCleanRunPasses() {
    assertThat(clean().failures()).isEmpty();
  }

  @Test
  void eachBreachFailsTheRun() {
    Chaos.Report r = clean();
    r.doubleSignatures = List.of(new ChaosWitness.DoubleSignature(1, 7, "aa", "bb"));
    assertThat(r.failures()).singleElement().asString().contains("double signature");

    r = clean();
    r.slashingEventsOnL1 = 1;
    assertThat(r.failures()).singleElement().asString().contains("slashing event");

    r = clean();
    r.uncertified.add(Map.of("height", 6L, "explained", false));
    assertThat(r.failures()).singleElement().asString().contains("without a fault to explain");

    r = clean();
    r.maxRssMb = Chaos.RSS_BOUND_MB + 1;
    assertThat(r.failures()).singleElement().asString().contains("RSS");

    r = clean();
    r.processesLeft.add(4242L);
    assertThat(r.failures()).singleElement().asString().contains("4242");

    r = clean();
    r.killsNotRecovered = 1;
    assertThat(r.failures()).singleElement().asString().contains("never signed again");

    r = clean();
    r.certifiedBlockNotInL2Chain.add(19L);
    assertThat(r.failures())
        .singleElement()
        .asString()
        .contains("1 certified height(s) name a block the L2 chain no longer has: [19]");

    r = clean();
    r.certified = 0;
    assertThat(r.failures()).singleElement().asString().contains("no height");

    r = clean();
    r.squad = new Chaos.Report.SquadOutcome(30, 2, 80, 70, 70, List.of(), 0, 5, 5, 4, List.of(), 0);
    assertThat(r.failures()).isEmpty();
    r.squad =
        new Chaos.Report.SquadOutcome(30, 2, 80, 70, 69, List.of("0xab"), 1, 5, 5, 4, List.of(), 0);
    assertThat(r.failures())
        .singleElement()
        .asString()
        .contains("1 preconfirmed transaction(s) not in a committed L2 block: [0xab]");
    r.squad = new Chaos.Report.SquadOutcome(0, 0, 0, 0, 0, List.of(), 0, 0, 0, 0, List.of(), 0);
    assertThat(r.failures()).singleElement().asString().contains("no SQUAD slot");
    r.squad =
        new Chaos.Report.SquadOutcome(30, 2, 80, 70, 70, List.of(), 0, 5, 4, 4, List.of("0xcd"), 1);
    assertThat(r.failures())
        .singleElement()
        .asString()
        .contains("1 forced transaction(s) queued on L1 long before the end not in a committed L2")
        .contains("[0xcd]");

    r = clean();
    r.vital = new Chaos.Report.VitalOutcome(3, 1, List.of());
    assertThat(r.failures()).isEmpty();
    r.vital = new Chaos.Report.VitalOutcome(3, 0, List.of(0L));
    assertThat(r.failures())
        .singleElement()
        .asString()
        .contains("1 output(s) posted with the right root were invalidated on L1: [0]");
  }

  @Test
  void theReportIsWrittenAsJsonWithItsVerdict(@TempDir Path dir) throws Exception {
    Chaos.Report r = clean();
    r.processesLeft.add(1L);
    Path f = dir.resolve("chaos-report.json");
    r.write(f);
    String json = Files.readString(f);
    assertThat(json).contains("\"passed\" : false").contains("process(es) left running");
  }

  @Test
  void percentilesAreNearestRank() {
    assertThat(Chaos.percentiles(List.of(5L, 1L, 3L, 2L, 4L)))
        .containsEntry("p50", 3L)
        .containsEntry("p99", 5L)
        .containsEntry("n", 5L);
    assertThat(Chaos.percentiles(List.of())).isEmpty();
  }
}
