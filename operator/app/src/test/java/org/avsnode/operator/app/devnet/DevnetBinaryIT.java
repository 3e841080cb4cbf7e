package org.avsnode.operator.app.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Smoke run of the packaged binary: {@code operator devnet --duration 20s}. */
class DevnetBinaryIT {

  @Test
  void packagedDevnetProducesCertificatesAndStopsEverything(@TempDir Path dir) throws Exception {
    Path bin =
        Paths.get(System.getProperty("avs.operator.dist", "target/operator-dist"))
            .resolve("bin/operator");
    assertThat(bin).isExecutable();
    Path out = dir.resolve("out.txt");
    Process p =
        new ProcessBuilder(
                List.of(
                    bin.toString(),
                    "devnet",
                    "--duration",
                    "20s",
                    "--operators",
                    "4",
                    "--data-dir",
                    dir.resolve("data").toString()))
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    try {
      assertThat(p.waitFor(150, TimeUnit.SECONDS)).as("devnet exits by itself").isTrue();
    } finally {
      if (p.isAlive()) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(text).isZero();
    assertThat(text).contains("devnet: 4 operators registered");
    assertThat(text).containsPattern("cert +L2 #\\d+ .*signers [34]/4");
    assertThat(text).containsPattern("on-chain +L2 #\\d+ +finalized");
    assertThat(text).contains("every process and operator stopped");
    // the anvils it started are gone: their pids (printed at start) name no live process, and
    // no process names the data directory
    java.util.regex.Matcher pids =
        java.util.regex.Pattern.compile("\\(pid (\\d+)\\)").matcher(text);
    int seen = 0;
    while (pids.find()) {
      long pid = Long.parseLong(pids.group(1));
      assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("pid " + pid).isEmpty();
      seen++;
    }
    assertThat(seen).as("the L1 and L2 anvil pids were printed").isEqualTo(2);
    assertThat(DevnetProcessesIT.processesNaming(dir.resolve("data"))).isEmpty();
  }
}
