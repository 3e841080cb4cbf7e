package org.avsnode.squad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SquadConfigTest {
  private static final String A = "0x" + "11".repeat(20);

  private static Map<String, String> section() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("rollup-id", "7");
    s.put("l2-rpc-url", "http://127.0.0.1:8545");
    s.put("schedule", A);
    s.put("inbox", A);
    s.put("queue", A);
    s.put("slashing-coordinator", A);
    s.put("registry", A);
    return s;
  }

  @Test
  void theLockFileIsOptional() {
    assertThat(SquadConfig.parse(section()).l2LockFile()).isEmpty();
    Map<String, String> s = section();
    s.put("l2-lock-file", " /tmp/devnet/l2.lock ");
    assertThat(SquadConfig.parse(s).l2LockFile())
        .isEqualTo(Optional.of(Path.of("/tmp/devnet/l2.lock")));
  }

  @Test
  void theFeedIsOnForAnL2NodeOfTheNodesOwnAndRefusedForASharedOne() {
    assertThat(SquadConfig.parse(section()).l2Feed()).isTrue();
    Map<String, String> off = section();
    off.put("l2-feed", "false");
    assertThat(SquadConfig.parse(off).l2Feed()).isFalse();
    Map<String, String> shared = section();
    shared.put("l2-lock-file", "/tmp/devnet/l2.lock");
    assertThat(SquadConfig.parse(shared).l2Feed()).isFalse();
    shared.put("l2-feed", "true");
    assertThatThrownBy(() -> SquadConfig.parse(shared))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("l2-feed")
        .hasMessageContaining("shared");
  }

  @Test
  void anEmptyLockFileOrAMissingKeyIsAnErrorNamingTheKey() {
    Map<String, String> s = section();
    s.put("l2-lock-file", " ");
    assertThatThrownBy(() -> SquadConfig.parse(s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("l2-lock-file");
    for (String key : new String[] {"inbox", "registry"}) {
      Map<String, String> t = section();
      t.remove(key);
      assertThatThrownBy(() -> SquadConfig.parse(t))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(key + " is required");
    }
  }

  @Test
  void peersAreAddressEqualsUrl() {
    Map<String, String> s = section();
    s.put("peers", A + "=http://127.0.0.1:9000");
    assertThat(SquadConfig.parse(s).peers()).containsOnlyKeys(A);
    s.put("peers", "http://127.0.0.1:9000");
    assertThatThrownBy(() -> SquadConfig.parse(s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ADDRESS=URL");
  }
}
