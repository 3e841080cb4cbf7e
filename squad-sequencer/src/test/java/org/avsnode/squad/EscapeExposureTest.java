package org.avsnode.squad;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A leader never preconfirms for a slot the escape hatch may take before its commitment lands: the
 * committed block would then lack the transaction, a provable breach of its preconfirmation.
 */
class EscapeExposureTest {
  private static final long NOW = 1_000;
  private static final long NONE = Long.MAX_VALUE; // every forced item included

  @Test
  void anEmptyQueueExposesASlotOnlyWhenAnItemQueuedNowCouldOpenTheHatchInTime() {
    // the devnet: due after 8 s, hatch 60 s later; the slot's window closes 6 s from now
    assertThat(SquadDuty.escapeExposure(NONE, NOW, 8, 60, NOW + 6)).isNull();
    // a queue whose delays are shorter than the slot and its grace
    assertThat(SquadDuty.escapeExposure(NONE, NOW, 2, 3, NOW + 6))
        .contains("opens at L1 time " + (NOW + 5));
    assertThat(SquadDuty.escapeExposure(NONE, NOW, 2, 4, NOW + 6)).isNull();
  }

  @Test
  void theOldestItemNotIncludedOpensTheHatch() {
    // censored since long enough: the hatch is open now
    assertThat(SquadDuty.escapeExposure(NOW - 1, NOW, 8, 60, NOW + 6))
        .contains("is open", "takes no transaction");
    // opens during the slot, or before the commitment must have landed
    assertThat(SquadDuty.escapeExposure(NOW + 5, NOW, 8, 60, NOW + 6)).contains("opens at");
    // opens only as the window closes: a commitment landed by then
    assertThat(SquadDuty.escapeExposure(NOW + 6, NOW, 8, 60, NOW + 6)).isNull();
  }

  @Test
  void anL1ReorgThatOpensTheHatchStopsTheOpenSlotsPreconfirmations() {
    // read again after a reorg: still clear, then open (the removed commitment had included the
    // oldest item), then unreadable
    assertThat(SquadDuty.recheck(7, () -> SquadDuty.escapeExposure(NONE, NOW, 8, 60, NOW + 6)))
        .isNull();
    SquadDuty.SlotRefusal open =
        SquadDuty.recheck(7, () -> SquadDuty.escapeExposure(NOW - 1, NOW, 8, 60, NOW + 6));
    assertThat(open.slot()).isEqualTo(7);
    assertThat(open.why()).contains("is open");
    SquadDuty.SlotRefusal unreadable =
        SquadDuty.recheck(
            7,
            () -> {
              throw new java.io.IOException("eth_call: connection refused");
            });
    assertThat(unreadable.why()).contains("could not be read", "connection refused");

    // what the open slot answers a wallet: the refusal after the reorg, for that slot only
    SquadDuty.OpenSlot slot7 =
        new SquadDuty.OpenSlot(7, null, null, java.util.List.of(), null, null);
    SquadDuty.OpenSlot slot8 =
        new SquadDuty.OpenSlot(8, null, null, java.util.List.of(), null, null);
    assertThat(SquadDuty.refusal(slot7, null)).isNull();
    assertThat(SquadDuty.refusal(slot7, open)).isEqualTo(open.why());
    assertThat(SquadDuty.refusal(slot8, open)).as("a later slot, opened afresh").isNull();
    SquadDuty.OpenSlot exposedAtOpening =
        new SquadDuty.OpenSlot(8, null, null, java.util.List.of(), null, "at opening");
    assertThat(SquadDuty.refusal(exposedAtOpening, null)).isEqualTo("at opening");
  }
}
