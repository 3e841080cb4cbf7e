package org.avsnode.operator.app.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.avsnode.operator.app.it.RunsAlone;
import org.junit.jupiter.api.Test;

/**
 * Acceptance: the 2-minute chaos soak of the packaged binary ({@code devnet --chaos}), with all
 * three duties (SQUAD sequences the L2): five operator processes are killed and restarted,
 * aggregators and slot leaders included, their L1 and L2 endpoints fail in every way the fault
 * proxy knows, L1 reorganises, and at the end the run's own checks pass (no double signature, no
 * slashing, every uncertified height explained, every preconfirmed transaction in a committed L2
 * block, RSS bound, no process left) — and this test checks the same things again from outside: the
 * report's figures and the process table.
 */
@RunsAlone(
    "the chaos run checks heights and preconfirmations against 4-second slots and its processes' RSS")
class DevnetChaosIT {

  /**
   * The run's data directory (operator logs, the chaos report, the L1 and L2 logs) is kept under
   * {@code target/} when the test fails, so that a failure can be traced; it is removed when it
   * passes.
   */
  private static final Path KEPT = Paths.get("target", "devnet-chaos-it").toAbsolutePath();

  @Test
  void twoMinutesOfChaosEndWithEveryCheckPassed() throws Exception {
    deleteTree(KEPT);
    Files.createDirectories(KEPT);
    boolean passed = false;
    try {
      run(KEPT);
      passed = true;
    } finally {
      if (passed) {
        deleteTree(KEPT);
      } else {
        System.err.println("DevnetChaosIT failed; its data directory is kept in " + KEPT);
        printWarnings(KEPT.resolve("data"));
      }
    }
  }

  /**
   * Prints the last WARN and ERROR lines of each operator's log (CI keeps the test's output),
   * leaving out the injected RPC faults' own errors.
   */
  private static void printWarnings(Path data) throws IOException {
    if (!Files.isDirectory(data)) {
      return;
    }
    try (Stream<Path> logs = Files.walk(data, 2)) {
      for (Path log :
          logs.filter(l -> l.getFileName().toString().equals("operator.log")).sorted().toList()) {
        List<String> lines =
            Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                .filter(l -> !l.contains("upstream error"))
                .toList();
        System.err.println(
            "--- " + data.relativize(log) + ": last WARN/ERROR lines of " + lines.size());
        lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.err::println);
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void run(Path dir) throws Exception {
    Path bin =
        Paths.get(System.getProperty("avs.operator.dist", "target/operator-dist"))
            .resolve("bin/operator");
    Path data = dir.resolve("data");
    Path out = dir.resolve("out.txt");
    Process p =
        new ProcessBuilder(
                List.of(
                    bin.toString(),
                    "devnet",
                    "--chaos",
                    "--chaos-seed",
                    "20261203",
                    "--operators",
                    "5",
                    "--duration",
                    "120s",
                    // the chaos report checks every height on L1 (aggregator kills included)
                    "--submit-every",
                    "0",
                    "--data-dir",
                    data.toString()))
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    try {
      assertThat(p.waitFor(420, TimeUnit.SECONDS)).as("the chaos devnet exits by itself").isTrue();
    } finally {
      if (p.isAlive()) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    // the verdict line first: CI shows the beginning of a failure message, not all of it
    String verdict =
        text.lines().filter(l -> l.contains("FAILED")).reduce("", (a, b) -> a + b + "\n");
    assertThat(p.exitValue()).as(verdict + text).isZero();
    assertThat(text).contains("chaos     PASSED every check");

    JsonNode root = new ObjectMapper().readTree(data.resolve("chaos-report.json").toFile());
    assertThat(root.get("passed").asBoolean()).as(root.toPrettyString()).isTrue();
    JsonNode r = root.get("report");
    // the chaos happened: kills of both kinds, RPC faults of several kinds, L1 reorgs
    JsonNode kills = r.get("kills");
    assertThat(kills.size()).as("kills").isGreaterThanOrEqualTo(4);
    boolean aggregatorKilled = false;
    for (JsonNode k : kills) {
      aggregatorKilled |= k.get("aggregator").asBoolean();
      assertThat(k.get("newPid").asLong()).as("restarted").isPositive();
    }
    assertThat(aggregatorKilled).as("an aggregator was killed").isTrue();
    Set<String> kinds = new HashSet<>();
    r.get("faults").forEach(f -> kinds.add(f.get("fault").asText()));
    assertThat(r.get("faults").size()).as("RPC faults").isGreaterThanOrEqualTo(10);
    assertThat(kinds).as("fault kinds").hasSizeGreaterThanOrEqualTo(3);
    long hit = 0;
    for (JsonNode n : r.get("requestsFaulted")) {
      hit += n.asLong();
    }
    assertThat(hit).as("requests that met a fault").isPositive();
    assertThat(r.get("reorgs").size()).as("L1 reorgs").isGreaterThanOrEqualTo(2);
    // the outcome
    assertThat(r.get("doubleSignatures").size()).isZero();
    assertThat(r.get("slashingEventsOnL1").asLong()).isZero();
    // SQUAD sequences the L2: one block per 4 s slot over the 100 s of chaos and the quiet tail
    long heights = r.get("heights").asLong();
    assertThat(heights).isGreaterThan(15);
    assertThat(r.get("attestationsDistinct").asLong()).isGreaterThan(heights);
    assertThat(r.get("certified").asLong()).as("certified heights").isGreaterThan(heights * 8 / 10);
    // what a rollup reads: the finality oracle on L1, despite kills of the aggregator of record
    assertThat(r.get("finalizedOnL1").asLong())
        .as("heights finalized on L1")
        .isGreaterThan(heights * 8 / 10);
    for (JsonNode u : r.get("uncertified")) {
      assertThat(u.get("explained").asBoolean()).as(u.toString()).isTrue();
      assertThat(u.get("reason").asText()).isNotBlank();
    }
    assertThat(r.get("killsNotRecovered").asLong()).isZero();
    assertThat(r.get("recoveryFromRestartMillis").get("p99").asLong()).isPositive();
    assertThat(r.get("rssSamples").asLong()).isPositive();
    assertThat(r.get("maxRssMb").asLong()).isLessThan(r.get("rssBoundMb").asLong());
    assertThat(r.get("processesLeft").size()).isZero();
    // SQUAD through the kills (leaders and backups among them), the faults and the reorgs: the
    // slots kept being committed, and every transaction preconfirmed long enough before the end
    // is in a committed L2 block
    JsonNode squad = r.get("squad");
    assertThat(squad.isObject()).as("the SQUAD outcome in the report").isTrue();
    assertThat(squad.get("slotsCommitted").asLong()).as("slots committed").isGreaterThan(15);
    assertThat(squad.get("judged").asLong()).as("preconfirmations judged").isGreaterThan(20);
    assertThat(squad.get("landed").asLong()).isEqualTo(squad.get("judged").asLong());
    assertThat(squad.get("notLandedCount").asLong()).isZero();
    // the operators were 'operator run' processes configured by flags (the production wiring)
    assertThat(text)
        .containsPattern(
            "op0 0x[0-9a-f]+ running MACH, VITAL and SQUAD at http://127\\.0\\.0\\.1:\\d+ \\(process \\d+\\)");
    // and from outside: nothing names the data directory any more
    assertThat(DevnetProcessesIT.processesNaming(data)).as("processes left").isEmpty();
  }
}
