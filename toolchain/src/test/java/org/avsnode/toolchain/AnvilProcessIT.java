package org.avsnode.toolchain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

class AnvilProcessIT {

  @Test
  void startsReadsChainIdAndStopsWithoutLeavingAProcess() throws Exception {
    ProcessHandle handle;
    List<ProcessHandle> tree;
    try (AnvilProcess anvil = AnvilProcess.builder().chainId(424242).start()) {
      assertThat(anvil.rpcUrl()).startsWith("http://127.0.0.1:");
      assertThat(anvil.port()).isPositive();
      Web3j web3 = Web3j.build(new HttpService(anvil.rpcUrl()));
      try {
        BigInteger chainId = web3.ethChainId().send().getChainId();
        assertThat(chainId).isEqualTo(BigInteger.valueOf(424242));
        assertThat(web3.ethAccounts().send().getAccounts()).hasSize(10);
      } finally {
        web3.shutdown();
      }
      handle = anvil.processHandle();
      tree = anvil.processHandle().descendants().collect(Collectors.toList());
      assertThat(handle.isAlive()).isTrue();
    }
    assertThat(handle.isAlive()).isFalse();
    assertThat(tree).noneMatch(ProcessHandle::isAlive);
    // no anvil child of this JVM survives
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
        .noneMatch(h -> h.info().command().orElse("").endsWith("anvil"));
  }

  /**
   * SIGKILL of the JVM that started an anvil runs no shutdown hook: the anvil must still stop,
   * because its standard input is a pipe from that JVM (see {@code AnvilProcess.tiedToThisJvm}).
   */
  @Test
  void anAnvilDiesWithItsJvmEvenOnSigkill() throws Exception {
    Process owner =
        new ProcessBuilder(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                AnvilOwnerMain.class.getName())
            .redirectErrorStream(true)
            .start();
    List<ProcessHandle> tree = new java.util.ArrayList<>();
    String url;
    try {
      java.io.BufferedReader out =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(
                  owner.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
      String line;
      do {
        line = out.readLine();
        assertThat(line).as("the owner JVM printed its anvil").isNotNull();
      } while (!line.startsWith("PIDS "));
      String[] parts = line.split(" ");
      for (String pid : parts[1].split(",")) {
        ProcessHandle.of(Long.parseLong(pid)).ifPresent(tree::add);
      }
      url = parts[3];
      assertThat(tree).as("the anvil tree").isNotEmpty();
      assertThat(tree).allMatch(ProcessHandle::isAlive);
      owner.destroyForcibly(); // SIGKILL: no shutdown hook runs
      assertThat(owner.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
      while (tree.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(tree).as("nothing of the anvil tree survives").noneMatch(ProcessHandle::isAlive);
      java.net.URI u = java.net.URI.create(url);
      try (java.net.Socket socket = new java.net.Socket()) {
        assertThatThrownBy(
                () -> socket.connect(new java.net.InetSocketAddress(u.getHost(), u.getPort()), 500))
            .as("the port is closed")
            .isInstanceOf(java.io.IOException.class);
      }
    } finally {
      owner.destroyForcibly();
      tree.forEach(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void twoInstancesGetDistinctPortsAndCloseIsIdempotent() {
    try (AnvilProcess a = AnvilProcess.builder().start();
        AnvilProcess b = AnvilProcess.builder().blockTime(Duration.ofSeconds(1)).start()) {
      assertThat(a.port()).isNotEqualTo(b.port());
      a.close();
      a.close();
      assertThat(a.isAlive()).isFalse();
      assertThat(b.isAlive()).isTrue();
    }
  }

  @Test
  void aBadArgumentFailsWithAClearError() {
    assertThatThrownBy(
            () ->
                AnvilProcess.builder()
                    .arg("--no-such-flag")
                    .startTimeout(Duration.ofSeconds(10))
                    .start())
        .isInstanceOf(ToolchainException.class)
        .hasMessageContaining("anvil");
  }
}
