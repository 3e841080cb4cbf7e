package org.avsnode.operator.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DutyPortsTest {
  @Test
  void oneDutyAsksAnotherThroughAPortOfTheCore() {
    DutyContext base = new DutyContext(Map.of(), Clock.systemUTC());
    DutyContext vital = base.forDuty(Map.of(), java.util.Optional.empty());
    DutyContext mach = base.forDuty(Map.of(), java.util.Optional.empty());
    // nothing provided yet: the asking duty sees the other one as not enabled
    assertThat(mach.ports().get(OutputVerdicts.class)).isEmpty();
    OutputVerdicts verdicts =
        (rollup, block) ->
            block >= 100 ? OutputVerdicts.Verdict.INVALID : OutputVerdicts.Verdict.VALID;
    vital.ports().provide(OutputVerdicts.class, verdicts);
    assertThat(mach.ports().get(OutputVerdicts.class).orElseThrow().verdictFor(42, 120))
        .isEqualTo(OutputVerdicts.Verdict.INVALID);
    assertThatThrownBy(
            () ->
                mach.ports()
                    .provide(OutputVerdicts.class, (r, b) -> OutputVerdicts.Verdict.UNKNOWN))
        .isInstanceOf(IllegalStateException.class);
  }
}
