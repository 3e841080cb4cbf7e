package org.avsnode.operator.app.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance: the packaged binary's devnet with {@code --operator-processes}: four {@code operator
 * run} processes configured by flags alone (the production wiring), certificates reaching the
 * finality oracle on L1, one aggregator killed with SIGKILL mid-run and the other completing its
 * heights, and no process left behind, found by the data directory in their arguments.
 */
class DevnetProcessesIT {
  private static final Pattern PID = Pattern.compile("\\(pid (\\d+)\\)");
  private static final Pattern FINALIZED =
      Pattern.compile("on-chain +L2 #(\\d+) +finalized on L1 \\(read from the finality oracle\\)");

  /**
   * Live processes whose command line names {@code dir} (an argument equal to it or below it), read
   * from {@code /proc/<pid>/cmdline} (ProcessHandle's view of arguments is empty for long command
   * lines on Linux).
   */
  static List<ProcessHandle> processesNaming(Path dir) throws java.io.IOException {
    String d = dir.toAbsolutePath().toString();
    List<ProcessHandle> out = new ArrayList<>();
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.toList()) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        long pid = Long.parseLong(name);
        if (pid == ProcessHandle.current().pid()) {
          continue;
        }
        byte[] raw;
        try {
          raw = Files.readAllBytes(p.resolve("cmdline"));
        } catch (java.io.IOException e) {
          continue; // gone meanwhile
        }
        for (String a : new String(raw, StandardCharsets.UTF_8).split("\0")) {
          if (a.equals(d) || a.startsWith(d + "/")) {
            ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(out::add);
            break;
          }
        }
      }
    }
    return out;
  }

  /** Whether a process's command line holds the argument {@code arg}. */
  static boolean hasArgument(ProcessHandle h, String arg) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline"));
      return List.of(new String(raw, StandardCharsets.UTF_8).split("\0")).contains(arg);
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Test
  void fourOperatorProcessesFinalizeOnL1AndSurviveTheKillOfAnAggregator(@TempDir Path dir)
      throws Exception {
    Path bin =
        Paths.get(System.getProperty("avs.operator.dist", "target/operator-dist"))
            .resolve("bin/operator");
    assertThat(bin).isExecutable();
    Path data = dir.resolve("data");
    Path out = dir.resolve("out.txt");
    assertThat(processesNaming(data)).as("nothing runs on this data directory yet").isEmpty();
    Process p =
        new ProcessBuilder(
                List.of(
                    bin.toString(),
                    "devnet",
                    "--operator-processes",
                    "--operators",
                    "4",
                    "--duration",
                    "45s",
                    "--stop-aggregator-after",
                    "20s",
                    "--data-dir",
                    data.toString()))
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    List<ProcessHandle> operatorsSeen;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
      while (!Files.readString(out).contains("devnet: running;")) {
        assertThat(p.isAlive()).as(Files.readString(out)).isTrue();
        assertThat(System.nanoTime()).as(Files.readString(out)).isLessThan(deadline);
        Thread.sleep(200);
      }
      // the operators are processes of their own, found by their data directories
      operatorsSeen = processesNaming(data).stream().filter(h -> hasArgument(h, "run")).toList();
      assertThat(operatorsSeen).as("operator run processes").hasSize(4);
      assertThat(p.waitFor(200, TimeUnit.SECONDS)).as("devnet exits by itself").isTrue();
    } finally {
      if (p.isAlive()) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(text).isZero();
    assertThat(text).contains("devnet: 4 operators registered");
    assertThat(text).containsPattern("op0 0x[0-9a-f]+ running MACH at http://127\\.0\\.0\\.1:\\d+");
    assertThat(text).contains("killed with SIGKILL");
    List<Long> finalized = new ArrayList<>();
    Matcher m = FINALIZED.matcher(text);
    while (m.find()) {
      finalized.add(Long.parseLong(m.group(1)));
    }
    assertThat(finalized).as(text).hasSizeGreaterThanOrEqualTo(10);
    // heights of the killed aggregator (even heights, rank 0) are finalized after the kill too
    int killedAt = text.indexOf("killed with SIGKILL");
    Matcher after = FINALIZED.matcher(text.substring(killedAt));
    List<Long> later = new ArrayList<>();
    while (after.find()) {
      later.add(Long.parseLong(after.group(1)));
    }
    assertThat(later).as(text).anyMatch(h -> h % 2 == 0).anyMatch(h -> h % 2 == 1);
    assertThat(text).containsPattern("summary +\\d+ L2 blocks finalized on L1 by the operator");
    assertThat(text).contains("every process and operator stopped");
    // nothing is left: neither the operators (found by their data directory) nor the anvils
    assertThat(processesNaming(data)).as("processes naming the data directory").isEmpty();
    Matcher pids = PID.matcher(text);
    int anvils = 0;
    while (pids.find()) {
      long pid = Long.parseLong(pids.group(1));
      assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("pid " + pid).isEmpty();
      anvils++;
    }
    assertThat(anvils).as("anvil and operator pids printed").isGreaterThanOrEqualTo(2);
    for (ProcessHandle h : operatorsSeen) {
      assertThat(h.isAlive()).as("operator process " + h.pid()).isFalse();
    }
  }

  /** SIGKILL of the devnet itself: its anvils and operator processes stop all the same. */
  @Test
  void killingTheDevnetWithSigkillLeavesNothingRunning(@TempDir Path dir) throws Exception {
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
                    "--operator-processes",
                    "--operators",
                    "2",
                    "--aggregators",
                    "1",
                    "--duration",
                    "300s",
                    "--data-dir",
                    data.toString()))
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    List<Long> pids = new ArrayList<>();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
      while (!Files.readString(out).contains("devnet: running;")) {
        assertThat(p.isAlive()).as(Files.readString(out)).isTrue();
        assertThat(System.nanoTime()).as(Files.readString(out)).isLessThan(deadline);
        Thread.sleep(200);
      }
      Matcher m = PID.matcher(Files.readString(out));
      while (m.find()) {
        pids.add(Long.parseLong(m.group(1)));
      }
      assertThat(processesNaming(data).stream().filter(h -> hasArgument(h, "run")))
          .as("operator processes running")
          .hasSize(2);
      p.destroyForcibly(); // SIGKILL of the devnet's JVM: no shutdown hook runs
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while ((!processesNaming(data).isEmpty()
              || pids.stream().anyMatch(pid -> ProcessHandle.of(pid).isPresent()))
          && System.nanoTime() < gone) {
        Thread.sleep(200);
      }
      assertThat(processesNaming(data)).as("operator processes after the kill").isEmpty();
      for (long pid : pids) {
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
            .as("pid " + pid + " after the kill")
            .isEmpty();
      }
    } finally {
      p.destroyForcibly();
      for (ProcessHandle h : processesNaming(data)) {
        h.destroyForcibly();
      }
      pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
  }
}
