package org.avsnode.mach;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MachConfigTest {
  private static Map<String, String> base() {
    Map<String, String> m = new HashMap<>();
    m.put("rollups", "42=http://127.0.0.1:8545, 7=http://l2.example:9545");
    m.put("registry", "0x" + "11".repeat(20));
    m.put("finality-oracle", "0x" + "22".repeat(20));
    m.put("slashing-coordinator", "0x" + "33".repeat(20));
    return m;
  }

  @Test
  void parsesWithDefaults() {
    MachConfig c = MachConfig.parse(base());
    assertThat(c.rollups()).containsEntry(42L, URI.create("http://127.0.0.1:8545")).hasSize(2);
    assertThat(c.thresholdBps()).isEqualTo(6667);
    assertThat(c.collectionWindow()).isEqualTo(Duration.ofMillis(300));
    assertThat(c.aggregator()).isFalse();
    assertThat(c.aggregators()).isEmpty();
    assertThat(c.submit()).isTrue();
  }

  @Test
  void sequencedConfirmationsDefaultToThreeAndMustBeBetweenOneAndTheFollowedReorgDepth() {
    assertThat(MachConfig.parse(base()).sequencedConfirmations()).isEqualTo(3);
    Map<String, String> m = base();
    m.put("sequenced-confirmations", "1");
    assertThat(MachConfig.parse(m).sequencedConfirmations()).isEqualTo(1);
    for (String bad : new String[] {"0", "33", "99999999999", "-1", "two"}) {
      m.put("sequenced-confirmations", bad);
      assertThatThrownBy(() -> MachConfig.parse(m))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sequenced-confirmations");
    }
  }

  @Test
  void sequencerInboxesNameFollowedRollupsAndAddresses() {
    assertThat(MachConfig.parse(base()).sequencerInboxes()).isEmpty();
    Map<String, String> m = base();
    m.put("sequencer-inboxes", "42=0x" + "44".repeat(20));
    assertThat(MachConfig.parse(m).sequencerInboxes())
        .containsOnly(Map.entry(42L, "0x" + "44".repeat(20)));
    for (String bad :
        new String[] {"9=0x" + "44".repeat(20), "42=0x1234", "0x" + "44".repeat(20)}) {
      m.put("sequencer-inboxes", bad);
      assertThatThrownBy(() -> MachConfig.parse(m))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sequencer-inboxes");
    }
  }

  @Test
  void aggregatorOfRecordRotatesByHeight() {
    Map<String, String> m = base();
    m.put("aggregator", "true");
    m.put("aggregator-rank", "1");
    m.put("aggregator-count", "2");
    MachConfig c = MachConfig.parse(m);
    assertThat(c.isRecordFor(3)).isTrue();
    assertThat(c.isRecordFor(4)).isFalse();
  }

  @Test
  void cadenceDefaultsToThreeL1BlocksAndOneRecordAggregatorPerDueBlock() {
    MachConfig d = MachConfig.parse(base());
    assertThat(d.submitEveryL1Blocks()).isEqualTo(3);
    assertThat(d.periodic()).isTrue();
    assertThat(d.submitOnRequest()).isTrue();
    Map<String, String> m = base();
    m.put("aggregator", "true");
    m.put("aggregator-rank", "1");
    m.put("aggregator-count", "2");
    m.put("submit-every-l1-blocks", "10");
    m.put("submit-on-request", "false");
    MachConfig c = MachConfig.parse(m);
    assertThat(c.submitOnRequest()).isFalse();
    // due blocks 100..109 are round 10 (rank 0), 110..119 round 11 (rank 1)
    assertThat(c.isRecordForDue(105)).isFalse();
    assertThat(c.isRecordForDue(110)).isTrue();
    Map<String, String> every = base();
    every.put("submit-every-l1-blocks", "0");
    assertThat(MachConfig.parse(every).periodic()).isFalse();
    Map<String, String> bad = base();
    bad.put("submit-every-l1-blocks", "-1");
    assertThatThrownBy(() -> MachConfig.parse(bad)).hasMessageContaining("submit-every-l1-blocks");
  }

  @Test
  void rejectsUnknownKeysAndBadValues() {
    Map<String, String> m = base();
    m.put("treshold-bps", "5000");
    assertThatThrownBy(() -> MachConfig.parse(m)).hasMessageContaining("treshold-bps");
    Map<String, String> m2 = base();
    m2.put("registry", "0x1234");
    assertThatThrownBy(() -> MachConfig.parse(m2)).hasMessageContaining("0x1234");
    Map<String, String> m3 = base();
    m3.put("collection-window", "soon");
    assertThatThrownBy(() -> MachConfig.parse(m3)).hasMessageContaining("collection-window");
    Map<String, String> m4 = base();
    m4.put("aggregator-rank", "2");
    m4.put("aggregator-count", "2");
    assertThatThrownBy(() -> MachConfig.parse(m4)).hasMessageContaining("aggregator-rank");
    Map<String, String> m5 = base();
    m5.remove("rollups");
    assertThatThrownBy(() -> MachConfig.parse(m5)).hasMessageContaining("rollup");
  }
}
