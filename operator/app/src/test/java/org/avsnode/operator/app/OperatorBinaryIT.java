package org.avsnode.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Acceptance: the packaged binary ({@code target/operator-dist/bin/operator}) run as a process. */
class OperatorBinaryIT {

  private record Run(int code, String out, List<ProcessHandle> children) {}

  private static Path binary() {
    Path dist = Paths.get(System.getProperty("avs.operator.dist", "target/operator-dist"));
    Path bin = dist.resolve("bin/operator");
    assertThat(bin).as("packaged launcher").isExecutable();
    return bin;
  }

  private static Run run(Path workDir, long timeoutSeconds, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary().toString());
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile(workDir, "operator", ".out");
    Process p =
        new ProcessBuilder(cmd)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    List<ProcessHandle> children = new ArrayList<>();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
      while (p.isAlive() && System.nanoTime() < deadline) {
        p.descendants().filter(h -> !children.contains(h)).forEach(children::add);
        p.waitFor(100, TimeUnit.MILLISECONDS);
      }
      assertThat(p.isAlive()).as("operator %s finished in time", args).isFalse();
      return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8), children);
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  @Test
  void helpAndVersion(@TempDir Path dir) throws Exception {
    Run help = run(dir, 60, "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("Usage: operator").contains("devnet");
    Run version = run(dir, 60, "--version");
    assertThat(version.code()).isZero();
    assertThat(version.out()).startsWith("operator 0.1.0");
    Run bad = run(dir, 60, "--bogus");
    assertThat(bad.code()).isEqualTo(2);
  }

  @Test
  void devnetRunsForItsDurationAndStopsEveryProcessItStarted(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("devnet");
    Run r = run(dir, 120, "devnet", "--duration", "6s", "--data-dir", data.toString());
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out())
        .contains("L1 anvil")
        .contains("L2 anvil")
        .contains("operators registered")
        .contains("every process and operator stopped");
    assertThat(r.children())
        .as("anvil processes seen while running")
        .hasSizeGreaterThanOrEqualTo(2);
    assertThat(r.children()).noneMatch(ProcessHandle::isAlive);
    assertThat(data.resolve("l1-anvil.log")).exists();
  }
}
