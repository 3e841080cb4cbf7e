package org.avsnode.squad;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The trouble of a slot this node led or took over keeps SQUAD's health Partial for as long as the
 * {@code AvsSquadSlotLost} alert fires for it, then no longer: a node that leads rarely is not
 * reported Partial until its next slot.
 */
class SlotTroubleShownTest {

  @Test
  void troubleIsShownForTheAlertsWindowThenNoLonger() {
    long at = 1_000_000;
    assertThat(SquadDuty.shown(null, at, at)).isNull();
    assertThat(SquadDuty.shown("slot 7: commit reverted", at, at))
        .isEqualTo("slot 7: commit reverted");
    assertThat(SquadDuty.shown("slot 7: x", at, at + SquadDuty.PROBLEM_SHOWN_MILLIS - 1))
        .isEqualTo("slot 7: x");
    assertThat(SquadDuty.shown("slot 7: x", at, at + SquadDuty.PROBLEM_SHOWN_MILLIS)).isNull();
    assertThat(SquadDuty.shown("slot 7: x", at, at + 10 * SquadDuty.PROBLEM_SHOWN_MILLIS)).isNull();
  }

  @Test
  void theWindowIsTheSlotLostAlertsWindow() throws Exception {
    String rules =
        Files.readString(
            Paths.get("..", "monitoring", "prometheus-alerts.yml"), StandardCharsets.UTF_8);
    Matcher m =
        Pattern.compile("alert: AvsSquadSlotLost\\s+expr: increase\\([^\\[]*\\[(\\d+)m\\]\\)")
            .matcher(rules);
    assertThat(m.find()).as("AvsSquadSlotLost and its window in the rules").isTrue();
    assertThat(Long.parseLong(m.group(1)) * 60_000).isEqualTo(SquadDuty.PROBLEM_SHOWN_MILLIS);
  }
}
