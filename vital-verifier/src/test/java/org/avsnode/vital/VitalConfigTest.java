package org.avsnode.vital;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.avsnode.contracts.deploy.Deployment;
import org.junit.jupiter.api.Test;

class VitalConfigTest {
  private static final String A = "0x" + "ab".repeat(20);
  private static final String V = "0x" + "cd".repeat(20);

  private static Optional<Deployment> deployment(String verdictOracle) {
    return Optional.of(
        new Deployment(
            1,
            31337,
            1,
            64,
            2,
            0,
            6000,
            A,
            new Deployment.Contracts(A, A, A, A, A, A, A, A, A, verdictOracle)));
  }

  @Test
  void addressesAndThresholdDefaultToTheDeployment() {
    VitalConfig c =
        VitalConfig.parse(
            Map.of("rollups", "42=http://127.0.0.1:8545|http://127.0.0.1:9545"), deployment(V));
    assertThat(c.sources())
        .containsEntry(
            42L, List.of(URI.create("http://127.0.0.1:8545"), URI.create("http://127.0.0.1:9545")));
    assertThat(c.verdictOracle()).isEqualTo(V);
    assertThat(c.registry()).isEqualTo(A);
    assertThat(c.thresholdBps()).isEqualTo(6000);
    assertThat(c.outputOracles()).isEmpty();
    assertThat(c.isRecordFor(0)).isTrue();
  }

  @Test
  void mistakesAreOneLineNamingTheKey() {
    assertThatThrownBy(
            () -> VitalConfig.parse(Map.of("rollups", "42=x", "colour", "red"), deployment(V)))
        .hasMessageContaining("unknown configuration keys [colour]");
    assertThatThrownBy(() -> VitalConfig.parse(Map.of("rollups", "42"), deployment(V)))
        .hasMessageContaining("ID=URL");
    assertThatThrownBy(
            () -> VitalConfig.parse(Map.of("rollups", "42=ftp://x/secret"), deployment(V)))
        .hasMessageContaining("http(s)")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(
            () ->
                VitalConfig.parse(
                    Map.of("rollups", "42=http://a|http://b|http://c"), deployment(V)))
        .hasMessageContaining("one or two L2 endpoints");
    // a deployment file written before VITAL has no verdict oracle
    assertThatThrownBy(() -> VitalConfig.parse(Map.of("rollups", "42=http://a"), deployment(null)))
        .hasMessageContaining("verdict-oracle");
    assertThatThrownBy(() -> VitalConfig.parse(Map.of(), deployment(V)))
        .hasMessageContaining("at least one rollup");
  }

  @Test
  void validityRollupsAreNamedByTheirProposer() {
    String p = "0x" + "ab".repeat(20);
    VitalConfig c =
        VitalConfig.parse(
            Map.of(
                "rollups",
                "42=http://a,43=http://b",
                "zk-proposers",
                "43=" + p,
                "proof-deadline",
                "90s",
                "max-batch-blocks",
                "32"),
            deployment(V));
    assertThat(c.zkProposers()).containsEntry(43L, p);
    assertThat(c.proofDeadline()).hasSeconds(90);
    assertThat(c.maxBatchBlocks()).isEqualTo(32);
    assertThat(VitalConfig.parse(Map.of("rollups", "42=http://a"), deployment(V)).proofDeadline())
        .hasMinutes(60);
    assertThatThrownBy(
            () ->
                VitalConfig.parse(
                    Map.of(
                        "rollups",
                        "43=http://b",
                        "zk-proposers",
                        "43=" + p,
                        "output-oracles",
                        "43=" + p),
                    deployment(V)))
        .hasMessageContaining("validity rollup");
    assertThatThrownBy(
            () ->
                VitalConfig.parse(
                    Map.of("rollups", "43=http://b", "max-batch-blocks", "0"), deployment(V)))
        .hasMessageContaining("max-batch-blocks");
  }

  @Test
  void aRollupMayBeAskedForUnderTheIdItsSequencersUse() {
    VitalConfig c =
        VitalConfig.parse(
            Map.of("rollups", "42=http://a,43=http://a", "sequenced-as", "43=42"), deployment(V));
    assertThat(c.sequencedAs()).containsExactly(Map.entry(43L, 42L));
    assertThat(VitalConfig.parse(Map.of("rollups", "42=http://a"), deployment(V)).sequencedAs())
        .isEmpty();
    assertThatThrownBy(
            () ->
                VitalConfig.parse(
                    Map.of("rollups", "42=http://a", "sequenced-as", "43"), deployment(V)))
        .hasMessageContaining("sequenced-as entries are ID=ID");
    assertThatThrownBy(
            () ->
                VitalConfig.parse(
                    Map.of("rollups", "42=http://a", "sequenced-as", "43=x"), deployment(V)))
        .hasMessageContaining("sequenced-as");
  }
}
