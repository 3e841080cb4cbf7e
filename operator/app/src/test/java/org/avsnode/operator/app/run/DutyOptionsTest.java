package org.avsnode.operator.app.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.avsnode.operator.app.UserException;
import org.avsnode.operator.config.NodeConfig;
import org.junit.jupiter.api.Test;

class DutyOptionsTest {
  private static NodeConfig node(List<String> duties) {
    return NodeConfig.builder()
        .dataPath(Path.of("/tmp/avs-duty-options-test"))
        .l1RpcUrl(URI.create("http://127.0.0.1:8545"))
        .deploymentFile(Path.of("/tmp/avs-duty-options-test/deployment.json"))
        .duties(duties)
        .blsKey(Path.of("/tmp/avs-duty-options-test/bls.json"), Path.of("/tmp/pw"))
        .ecdsaKey(Path.of("/tmp/avs-duty-options-test/ecdsa.json"), Path.of("/tmp/pw"))
        .build();
  }

  @Test
  void entriesLandInTheirDutysSection() {
    Map<String, Map<String, String>> s =
        DutyOptions.sections(
            node(List.of("vital")),
            List.of("vital.rollups=42=http://l2:8545", "vital.poll-interval=1s"));
    assertThat(s.get("vital"))
        .containsEntry("rollups", "42=http://l2:8545")
        .containsEntry("poll-interval", "1s");
  }

  @Test
  void aCommaJoinedListSplitsOnlyBeforeTheNextEntry() {
    String joined = "mach.rollups=42=http://l2:8545,mach.aggregators=http://a:9000,http://b:9000";
    assertThat(joined.split(DutyOptions.SPLIT))
        .containsExactly(
            "mach.rollups=42=http://l2:8545", "mach.aggregators=http://a:9000,http://b:9000");
  }

  @Test
  void malformedEntriesAndDisabledDutiesAreOneLineErrors() {
    assertThatThrownBy(() -> DutyOptions.sections(node(List.of("vital")), List.of("rollups=1")))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("DUTY.KEY=VALUE");
    assertThatThrownBy(() -> DutyOptions.sections(node(List.of("vital")), List.of("squad.x=1")))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("not enabled");
  }

  @Test
  void machNeedsTheDeploymentAndTheNodesKeys() {
    assertThatThrownBy(() -> DutyOptions.sections(node(List.of("mach")), List.of()))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("deployment file");
  }
}
