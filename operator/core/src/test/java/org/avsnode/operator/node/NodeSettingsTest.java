package org.avsnode.operator.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.avsnode.operator.config.InvalidConfigException;
import org.junit.jupiter.api.Test;

class NodeSettingsTest {

  private static NodeSettings.Builder minimal() {
    return NodeSettings.builder()
        .dataPath(Path.of("/var/lib/avs"))
        .l1RpcUrl(URI.create("http://127.0.0.1:8545"))
        .deploymentFile(Path.of("/etc/avs/deployment.json"));
  }

  private static void assertInvalid(NodeSettings.Builder b, String key, String messagePart) {
    assertThatThrownBy(b::build)
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(messagePart)
        .satisfies(e -> assertThat(((InvalidConfigException) e).key()).isEqualTo(key));
  }

  @Test
  void defaultsAreLoopbackPort9000TwoConfirmationsAndAnEmbeddedDatabase() {
    NodeSettings c = minimal().build();
    assertThat(c.http().host()).isEqualTo("127.0.0.1");
    assertThat(c.http().port()).isEqualTo(9000);
    assertThat(c.l1Confirmations()).isEqualTo(2);
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
    NodeSettings c = minimal().dataPath(Path.of("rel/../data")).build();
    assertThat(c.dataPath().isAbsolute()).isTrue();
    assertThat(c.dataPath().getFileName().toString()).isEqualTo("data");
    assertThat(c.dataPath().toString()).doesNotContain("..");
  }

  @Test
  void requiredSettingsAreNamed() {
    assertInvalid(minimal().dataPath(null), "data-path", "required");
    // optional in the model (a node may run without L1); commands that need them ask for them
    NodeSettings bare = NodeSettings.builder(Path.of("/x")).build();
    assertThatThrownBy(bare::requireL1RpcUrl)
        .isInstanceOf(InvalidConfigException.class)
        .satisfies(e -> assertThat(((InvalidConfigException) e).key()).isEqualTo("l1-rpc-url"));
    assertThatThrownBy(bare::requireDeploymentFile)
        .isInstanceOf(InvalidConfigException.class)
        .satisfies(
            e -> assertThat(((InvalidConfigException) e).key()).isEqualTo("deployment-file"));
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
    assertThat(minimal().httpPort(0).build().http().port()).isZero();
  }

  @Test
  void dutiesAreCheckedAndNeedBothKeys() {
    assertInvalid(minimal().duties(List.of("mach")), "bls-keystore-file", "mach");
    assertInvalid(
        minimal().duties(List.of("mach")).blsKey(Path.of("/k/bls.json"), Path.of("/k/bls.pass")),
        "ecdsa-keystore-file",
        "names the operator");
    NodeSettings c =
        minimal()
            .duties(List.of("mach", " vital", ""))
            .blsKey(Path.of("/k/bls.json"), Path.of("/k/bls.pass"))
            .ecdsaKey(Path.of("/k/ecdsa.json"), Path.of("/k/ecdsa.pass"))
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
  void dutyOptionsMayOnlyNameEnabledDuties() {
    assertInvalid(
        minimal().dutyConfig("squad", java.util.Map.of("x", "1")), "duty-option", "not enabled");
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
    NodeSettings c =
        minimal()
            .l1RpcUrl(URI.create("https://user:s3cret@rpc.example.org/v2/key"))
            .slashingProtectionDbUrl("jdbc:postgresql://db/avs?user=avs&password=hunter2")
            .build();
    assertThat(c.toString())
        .doesNotContain("s3cret")
        .doesNotContain("hunter2")
        .doesNotContain("v2/key")
        .contains("https://rpc.example.org");
    assertThatThrownBy(() -> minimal().l1RpcUrl(URI.create("ftp://u:s3cret@h/")).build())
        .hasMessageNotContaining("s3cret");
  }
}
