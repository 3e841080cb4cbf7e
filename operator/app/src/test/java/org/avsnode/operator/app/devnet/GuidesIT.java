package org.avsnode.operator.app.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The operator guide and the integrator guide, run: every fenced {@code bash} block preceded by
 * {@code <!-- checked -->} is run, in order, as one script per guide with {@code set -euo
 * pipefail}, against a devnet, with the packaged binary as {@code avs-operator} and Foundry's
 * {@code cast} on the PATH. A block that fails fails the test with the script's output; every
 * process the script starts is stopped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GuidesIT {
  private static final Path DOCS = Paths.get("..", "..", "docs");
  private static final Path CAST =
      Paths.get(
          "..",
          "..",
          "toolchain",
          "node_modules",
          "@foundry-rs",
          "cast-linux-amd64",
          "bin",
          "cast");

  private RunningDevnet running;
  private Path dir;
  private Devnet devnet;

  @BeforeAll
  void startDevnet() throws Exception {
    running = new RunningDevnet("guides-it", DevnetOptions::defaults);
    dir = running.dir;
    devnet = running.devnet;
  }

  @AfterAll
  void stop() throws IOException {
    if (running != null) {
      running.close();
    }
  }

  /** The checked blocks of one guide, in order. */
  static List<String> checkedBlocks(String markdown) {
    List<String> blocks = new ArrayList<>();
    List<String> lines = markdown.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals("<!-- checked -->")
          && i + 1 < lines.size()
          && lines.get(i + 1).strip().equals("```bash")) {
        StringBuilder b = new StringBuilder();
        int j = i + 2;
        while (j < lines.size() && !lines.get(j).strip().equals("```")) {
          b.append(lines.get(j)).append('\n');
          j++;
        }
        blocks.add(b.toString());
        i = j;
      }
    }
    return blocks;
  }

  @Test
  void checkedBlocksAreFound() {
    String md =
        "text\n<!-- checked -->\n```bash\necho one\n```\n```bash\necho unchecked\n```\n"
            + "<!-- checked -->\n```bash\necho two\necho three\n```\n";
    assertThat(checkedBlocks(md)).containsExactly("echo one\n", "echo two\necho three\n");
  }

  @Test
  @Timeout(300)
  void operatorGuideRuns() throws Exception {
    String out = runGuide("operator-guide.md", 7);
    assertThat(out)
        .contains("Next steps:")
        .contains("registration complete")
        .contains("registered operator  yes")
        .contains("eigen_performance_score")
        .contains("exported 1 keys");
  }

  @Test
  @Timeout(300)
  void integratorGuideRuns() throws Exception {
    String out = runGuide("integrator-guide.md", 4);
    assertThat(out)
        .contains("VALID")
        .contains("event: certificate")
        .containsPattern("L2 block \\d+ final on L1 with this hash and output root: true");
  }

  private String runGuide(String guide, int expectedBlocks) throws Exception {
    List<String> blocks = checkedBlocks(Files.readString(DOCS.resolve(guide)));
    assertThat(blocks).as("checked blocks in " + guide).hasSize(expectedBlocks);
    Path work = Files.createDirectories(dir.resolve(guide.replace(".md", "")));
    Path bin = Files.createDirectories(work.resolve("bin"));
    Path dist = Paths.get(System.getProperty("avs.operator.dist", "target/operator-dist"));
    Files.createSymbolicLink(
        bin.resolve("avs-operator"), dist.resolve("bin/operator").toAbsolutePath());
    Files.createSymbolicLink(bin.resolve("cast"), CAST.toAbsolutePath().normalize());
    StringBuilder script = new StringBuilder("set -euo pipefail\n");
    for (int i = 0; i < blocks.size(); i++) {
      script.append("echo '== block ").append(i + 1).append("'\n").append(blocks.get(i));
    }
    Path file = work.resolve("guide.sh");
    Files.writeString(file, script);
    ProcessBuilder pb =
        new ProcessBuilder("bash", file.toString())
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("guide.out").toFile());
    Map<String, String> env = pb.environment();
    env.put("PATH", bin.toAbsolutePath() + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("L1_RPC_URL", devnet.l1RpcUrl());
    env.put("L2_RPC_URL", devnet.l2RpcUrl());
    env.put("DEPLOYMENT", dir.resolve("devnet").resolve("deployment.json").toString());
    env.put(
        "AGGREGATORS",
        devnet.aggregatorUrls().stream().map(Object::toString).collect(Collectors.joining(",")));
    env.put("NODE_URL", devnet.aggregatorUrls().get(0).toString().replaceAll("/$", ""));
    env.put("ROLLUP_ID", Long.toString(devnet.rollupId()));
    env.put("HTTP_PORT", Integer.toString(Ports.freePort()));
    // anvil's first development account: funded on every devnet, known to everyone
    env.put(
        "DEVNET_FUNDER_KEY", "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    Process p = pb.start();
    List<ProcessHandle> seen = new ArrayList<>();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      while (p.isAlive() && System.nanoTime() < deadline) {
        p.descendants().filter(h -> !seen.contains(h)).forEach(seen::add);
        p.waitFor(200, TimeUnit.MILLISECONDS);
      }
      String out = Files.readString(work.resolve("guide.out"), StandardCharsets.UTF_8);
      assertThat(p.isAlive()).as("%s finished in time:%n%s", guide, out).isFalse();
      assertThat(p.exitValue()).as("%s failed:%n%s", guide, out).isZero();
      return out;
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      seen.forEach(ProcessHandle::destroyForcibly);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (seen.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < until) {
        Thread.sleep(100);
      }
      assertThat(seen).as("processes the guide started").noneMatch(ProcessHandle::isAlive);
    }
  }
}
