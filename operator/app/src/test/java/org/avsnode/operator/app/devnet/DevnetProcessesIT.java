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
 * Acceptance: SIGKILL of the packaged binary's devnet with {@code --operator-processes} leaves no
 * process behind (found by the data directory in their arguments). The operator processes under
 * kills and faults are {@link DevnetChaosIT}'s.
 */
class DevnetProcessesIT {
  private static final Pattern PID = Pattern.compile("\\(pid (\\d+)\\)");

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
