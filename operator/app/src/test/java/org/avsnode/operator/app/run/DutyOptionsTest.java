package org.avsnode.operator.app.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.avsnode.operator.app.UserException;
import org.junit.jupiter.api.Test;

class DutyOptionsTest {
  @Test
  void entriesLandInTheirDutysSection() {
    Map<String, Map<String, String>> s =
        DutyOptions.sections(
            List.of("vital"), List.of("vital.rollups=42=http://l2:8545", "vital.poll-interval=1s"));
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
    assertThatThrownBy(() -> DutyOptions.sections(List.of("vital"), List.of("rollups=1")))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("DUTY.KEY=VALUE");
    assertThatThrownBy(() -> DutyOptions.sections(List.of("vital"), List.of("squad.x=1")))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("not enabled");
  }

  @Test
  void theNodeAddsNothingToADutysSection() {
    // addresses come from the deployment file and keys from the node: the app knows no duty's keys
    assertThat(DutyOptions.sections(List.of("mach"), List.of())).containsEntry("mach", Map.of());
  }
}
