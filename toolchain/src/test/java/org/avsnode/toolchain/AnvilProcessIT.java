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
