package org.avsnode.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeConfigTest {

  private static NodeConfig.Builder minimal() {
    return NodeConfig.builder()
        .dataPath(Path.of("/var/lib/avs"))
        .l1RpcUrl(URI.create("http://127.0.0.1:8545"))
        .deploymentFile(Path.of("/etc/avs/deployment.json"));
  }

  private static void assertInvalid(NodeConfig.Builder b, String key, String messagePart) {
    assertThatThrownBy(b::build)
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(messagePart)
        .satisfies(e -> assertThat(((InvalidConfigException) e).key()).isEqualTo(key));
  }

  @Test
  void defaultsAreLoopbackPort9000TwoConfirmationsAndAnEmbeddedDatabase() {
    NodeConfig c = minimal().build();
    assertThat(c.httpHost()).isEqualTo("127.0.0.1");
    assertThat(c.httpPort()).isEqualTo(9000);
    assertThat(c.confirmations()).isEqualTo(2);
    assertThat(c.metricsEnabled()).isFalse();
    assertThat(c.duties()).isEmpty();
    assertThat(c.l1ChainId()).isEmpty();
    assertThat(c.slashingProtectionDbUrl())
        .isEqualTo("jdbc:h2:file:/var/lib/avs/slashing-protection/db");
    assertThat(c.slashingProtectionEmbedded()).isTrue();
    assertThat(c.blsKey()).isEmpty();
  }

  @Test
  void theDataPathIsMadeAbsolute() {
    NodeConfig c = minimal().dataPath(Path.of("rel/../data")).build();
    assertThat(c.dataPath().isAbsolute()).isTrue();
    assertThat(c.dataPath().getFileName().toString()).isEqualTo("data");
    assertThat(c.dataPath().toString()).doesNotContain("..");
  }

  @Test
  void requiredSettingsAreNamed() {
    assertInvalid(minimal().dataPath(null), "data-path", "required");
    assertInvalid(minimal().l1RpcUrl(null), "l1-rpc-url", "required");
    assertInvalid(minimal().deploymentFile(null), "deployment-file", "required");
  }

  @Test
  void outOfRangeValuesAreRejected() {
    assertInvalid(minimal().httpPort(65536), "http-port", "between 0 and 65535");
    assertInvalid(minimal().httpPort(-1), "http-port", "between 0 and 65535");
    assertInvalid(minimal().confirmations(-1), "confirmations", "between 0 and");
    assertInvalid(minimal().l1ChainId(0L), "l1-chain-id", "positive");
    assertInvalid(minimal().httpHost(" "), "http-host", "empty");
    assertInvalid(minimal().l1RpcUrl(URI.create("ftp://x")), "l1-rpc-url", "http(s) or ws(s)");
    assertInvalid(
        minimal().slashingProtectionDbUrl("jdbc:mysql://x/db"),
        "slashing-protection-db-url",
        "jdbc:postgresql:");
    assertThat(minimal().httpPort(0).build().httpPort()).isZero();
  }

  @Test
  void dutiesAreCheckedAndNeedABlsKey() {
    assertInvalid(minimal().duties(List.of("mach")), "bls-keystore-file", "mach");
    NodeConfig c =
        minimal()
            .duties(List.of("mach", " vital", ""))
            .blsKey(Path.of("/k/bls.json"), Path.of("/k/bls.pass"))
            .build();
    assertThat(c.duties()).containsExactly("mach", "vital");
    assertThatThrownBy(() -> c.duties().add("x")).isInstanceOf(UnsupportedOperationException.class);
    assertInvalid(
        minimal().duties(List.of("Mach!")).blsKey(Path.of("/k"), Path.of("/p")),
        "duties",
        "not a duty name");
    assertInvalid(
        minimal().duties(List.of("mach", "mach")).blsKey(Path.of("/k"), Path.of("/p")),
        "duties",
        "twice");
  }

  @Test
  void aKeystoreNeedsItsPasswordFileAndViceVersa() {
    assertThatThrownBy(() -> minimal().blsKey(Path.of("/k"), null))
        .isInstanceOf(InvalidConfigException.class)
        .satisfies(
            e -> assertThat(((InvalidConfigException) e).key()).isEqualTo("bls-password-file"));
    assertThatThrownBy(() -> minimal().ecdsaKey(null, Path.of("/p")))
        .isInstanceOf(InvalidConfigException.class)
        .satisfies(
            e -> assertThat(((InvalidConfigException) e).key()).isEqualTo("ecdsa-keystore-file"));
    assertThat(minimal().ecdsaKey(null, null).build().ecdsaKey()).isEmpty();
  }

  @Test
  void credentialsInUrlsNeverShowInToStringOrErrors() {
    NodeConfig c =
        minimal()
            .l1RpcUrl(URI.create("https://user:s3cret@rpc.example.org/v2/key"))
            .slashingProtectionDbUrl("jdbc:postgresql://db/avs?user=avs&password=hunter2")
            .build();
    assertThat(c.toString())
        .doesNotContain("s3cret")
        .doesNotContain("hunter2")
        .doesNotContain("v2/key")
        .contains("https://rpc.example.org/***");
    assertThatThrownBy(() -> minimal().l1RpcUrl(URI.create("ftp://u:s3cret@h/")).build())
        .hasMessageNotContaining("s3cret");
  }
}
