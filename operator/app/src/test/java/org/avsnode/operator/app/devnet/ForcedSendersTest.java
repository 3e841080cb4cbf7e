package org.avsnode.operator.app.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForcedSendersTest {
  @Test
  void derivesAnvilsWellKnownDevelopmentAccounts() {
    ForcedSenders s = ForcedSenders.unchecked();
    // the first two accounts every anvil prints at start
    assertThat(s.at(0).getAddress())
        .isEqualToIgnoringCase("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    assertThat(s.at(1).getAddress())
        .isEqualToIgnoringCase("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
  }

  @Test
  void aNodeWithOtherAccountsIsRefusedAndThePoolEnds() {
    ForcedSenders derived = ForcedSenders.unchecked();
    List<String> accounts = new ArrayList<>();
    for (int i = 0; i < ForcedSenders.FIRST + ForcedSenders.POOL; i++) {
      accounts.add(i < ForcedSenders.FIRST ? "0x00" : derived.at(i).getAddress());
    }
    ForcedSenders pool = ForcedSenders.of(accounts);
    assertThat(pool.next().getAddress()).isEqualTo(accounts.get(ForcedSenders.FIRST));
    for (int i = 1; i < ForcedSenders.POOL; i++) {
      assertThat(pool.next()).isNotNull();
    }
    assertThat(pool.next()).as("every sender sends once").isNull();

    assertThatThrownBy(() -> ForcedSenders.of(accounts.subList(0, ForcedSenders.FIRST + 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("it has " + (ForcedSenders.FIRST + 1) + " accounts");
    List<String> other = new ArrayList<>(accounts);
    other.set(ForcedSenders.FIRST, "0x0000000000000000000000000000000000000001");
    assertThatThrownBy(() -> ForcedSenders.of(other))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("anvil's default mnemonic");
  }
}
