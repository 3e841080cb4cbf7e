package org.avsnode.mach;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.avsnode.operator.chain.L1Exception;
import org.junit.jupiter.api.Test;

class SequencerInboxesTest {
  private static final String INBOX = "0x" + "ab".repeat(20);
  private static final String CONFIGURED = "0x" + "cd".repeat(20);

  /** The coordinator's registrations as a test sets them, and every rollup it was asked for. */
  private static final class Coordinator implements SequencerInboxes.Registered {
    final Map<Long, String> inboxes = new HashMap<>();
    final List<Long> asked = new ArrayList<>();
    RuntimeException failure;

    @Override
    public Optional<String> inboxOf(long rollupId) {
      asked.add(rollupId);
      if (failure != null) {
        throw failure;
      }
      return Optional.ofNullable(inboxes.get(rollupId));
    }
  }

  @Test
  void theCoordinatorsInboxIsFoundWithoutConfigurationAndKeptForGood() {
    Coordinator coordinator = new Coordinator();
    coordinator.inboxes.put(42L, INBOX);
    AtomicLong head = new AtomicLong(100);
    SequencerInboxes inboxes = new SequencerInboxes(Map.of(), coordinator, head::get);

    assertThat(inboxes.of(42)).contains(INBOX);
    head.set(200);
    assertThat(inboxes.of(42)).contains(INBOX);
    // it cannot change on chain, so it is not asked again
    assertThat(coordinator.asked).containsExactly(42L);
  }

  @Test
  void noRegistrationIsAskedAgainOnlyWhenTheL1HeadMoves() {
    Coordinator coordinator = new Coordinator();
    AtomicLong head = new AtomicLong(100);
    SequencerInboxes inboxes = new SequencerInboxes(Map.of(), coordinator, head::get);

    assertThat(inboxes.of(7)).isEmpty();
    assertThat(inboxes.of(7)).isEmpty();
    assertThat(coordinator.asked).containsExactly(7L);
    // registered after the node started: seen at the next L1 block
    coordinator.inboxes.put(7L, INBOX);
    assertThat(inboxes.of(7)).isEmpty();
    head.set(101);
    assertThat(inboxes.of(7)).contains(INBOX);
    assertThat(coordinator.asked).containsExactly(7L, 7L);
  }

  @Test
  void theConfiguredInboxServesWhereTheCoordinatorHasNoneAndTheCoordinatorWinsWhereBothDo() {
    Coordinator coordinator = new Coordinator();
    AtomicLong head = new AtomicLong(100);
    SequencerInboxes inboxes =
        new SequencerInboxes(Map.of(42L, CONFIGURED), coordinator, head::get);

    assertThat(inboxes.of(42)).contains(CONFIGURED);
    coordinator.inboxes.put(42L, INBOX);
    head.set(101);
    // the slashing evidence is judged against the coordinator's inbox, so MACH follows that one
    assertThat(inboxes.of(42)).contains(INBOX);
  }

  @Test
  void aFailedReadThrowsAndIsAskedAgainAtTheNextPoll() {
    Coordinator coordinator = new Coordinator();
    coordinator.failure = new L1Exception(L1Exception.Kind.UNAVAILABLE, "eth_call", "no answer");
    AtomicLong head = new AtomicLong(100);
    SequencerInboxes inboxes =
        new SequencerInboxes(Map.of(42L, CONFIGURED), coordinator, head::get);

    // no answer is not "no inbox": the follower attests nothing at this poll
    assertThatThrownBy(() -> inboxes.of(42)).isInstanceOf(L1Exception.class);
    coordinator.failure = null;
    coordinator.inboxes.put(42L, INBOX);
    assertThat(inboxes.of(42)).contains(INBOX);
    assertThat(coordinator.asked).containsExactly(42L, 42L);
  }
}
