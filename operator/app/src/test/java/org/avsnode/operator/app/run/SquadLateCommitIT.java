package org.avsnode.operator.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.avsnode.contracts.bindings.AvsRegistry;
import org.avsnode.contracts.bindings.SequencerInbox;
import org.avsnode.operator.node.NodeRuntime;
import org.avsnode.operator.spi.DutyObservers;
import org.avsnode.operator.spi.Health;
import org.avsnode.squad.SquadDuty;
import org.avsnode.squad.SquadFaults;
import org.avsnode.squad.schedule.SlotScheduleContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.utils.Numeric;

/**
 * A backup's commitment that lands late in its window, after the next slot's leader has reached its
 * last-resort moment to open (found by the chaos soaks, where it stopped the L2 chain for good).
 * Slots of 4 s, one backup, windows of 3 s: a backup's window of slot {@code s} runs from 3 s to 6
 * s after the slot's end, so it is still open when the leader of {@code s + 1} must open at the
 * latest (250 ms before its own end). Injected: the leader of {@code s} does not lead it, and its
 * backup, having mined and signed its block, sends its commitment only 100 ms before slot {@code s
 * + 1} ends. The next leader must then not drop the backup's L2 block: had it dropped it, the inbox
 * would name a block the L2 node no longer holds, and no slot could ever be committed on it again.
 * Checked: slot {@code s} is committed by the backup, later slots are committed on it, the L2
 * node's chain holds every committed block, and every node still runs.
 */
class SquadLateCommitIT {
  private static final long SLOT_SECONDS = 4;
  private static final long GRACE_SECONDS = 3;

  @Test
  void aBlockItsBackupMayStillCommitIsNotDroppedByTheNextLeader(@TempDir Path dir)
      throws Exception {
    AtomicLong target = new AtomicLong(-1);
    AtomicLong holdUntil = new AtomicLong();
    SquadFaults faults =
        new SquadFaults() {
          @Override
          public boolean skipLead(long slot) {
            return slot == target.get();
          }

          @Override
          public long commitNotBefore(long slot, int rank) {
            return slot == target.get() && rank == 1 ? holdUntil.get() : 0;
          }
        };
    try (SquadNet net =
        SquadNet.start(
            dir,
            3,
            SLOT_SECONDS,
            1,
            GRACE_SECONDS,
            4,
            60,
            DutyObservers.none().with(SquadFaults.class, faults),
            Map.of(),
            List.of())) {
      SequencerInbox inbox =
          SequencerInbox.load(net.squad.inbox(), net.w1, net.readOnly(), net.gas);
      SlotScheduleContract schedule = SlotScheduleContract.load(net.w1, net.squad.schedule());
      var params = schedule.parameters();
      AvsRegistry registry =
          AvsRegistry.load(net.dep.contracts().avsRegistry(), net.w1, net.readOnly(), net.gas);
      BigInteger set = BigInteger.valueOf(net.dep.operatorSetId());
      net.awaitGenesis();
      SquadNet.awaitTrue(() -> inbox.committedCount().send().longValueExact() >= 2, 40, "2 slots");

      // a slot s whose backup is not the leader of s + 1 (that one drops blocks when it opens)
      long s = -1;
      String backup = null;
      long searchUntil = System.currentTimeMillis() + 60_000;
      while (s < 0) {
        assertThat(System.currentTimeMillis()).as("a slot to plant").isLessThan(searchUntil);
        long current =
            (System.currentTimeMillis() / 1000 - params.genesisTime()) / params.slotSeconds();
        for (long c = current + 2; c <= current + 4 && s < 0; c++) {
          Optional<int[]> ranks = ranksOf(schedule, params, c);
          Optional<int[]> next = ranksOf(schedule, params, c + 1);
          if (ranks.isPresent() && next.isPresent() && ranks.get()[1] != next.get()[0]) {
            s = c;
            backup = registry.operatorAt(set, BigInteger.valueOf(ranks.get()[1])).send();
          }
        }
        if (s < 0) {
          Thread.sleep(1_000);
        }
      }
      long nextEnd = params.genesisTime() + (s + 2) * params.slotSeconds();
      holdUntil.set(nextEnd * 1000 - 100);
      target.set(s);
      System.out.printf(
          "SquadLateCommitIT: slot %d is left by its leader; its backup %s commits it 100 ms before"
              + " slot %d ends%n",
          s, backup, s + 1);

      long want = s + 3;
      SquadNet.awaitTrue(
          () -> inbox.lastSlot().send().longValueExact() >= want,
          (int) (nextEnd - System.currentTimeMillis() / 1000) + 40,
          "slot " + want + " committed: the chain goes on after the late commitment");

      List<SequencerInbox.SlotCommittedEventResponse> committed = commitments(net);
      SequencerInbox.SlotCommittedEventResponse ofS =
          committed.stream()
              .filter(e -> e.slot.longValueExact() == target.get())
              .findFirst()
              .orElse(null);
      assertThat(ofS).as("slot %d committed (by its backup, late in its window)", s).isNotNull();
      assertThat(ofS.rank.intValue()).isEqualTo(1);
      assertThat(ofS.committer).isEqualToIgnoringCase(backup);

      // the L2 node's chain holds every committed block, and they chain on L1
      Set<String> onL2 = net.l2Chain().keySet();
      String previous = null;
      for (SequencerInbox.SlotCommittedEventResponse e : committed) {
        String block = Numeric.toHexString(e.blockHash);
        assertThat(onL2).as("the L2 node's chain holds slot %s's block", e.slot).contains(block);
        if (previous != null) {
          assertThat(Numeric.toHexString(e.parentHash))
              .as("slot %s builds on the last committed block", e.slot)
              .isEqualTo(previous);
        }
        previous = block;
      }
      for (NodeRuntime n : net.nodes) {
        assertThat(n.duty(SquadDuty.ID).orElseThrow().health().status())
            .isNotEqualTo(Health.Status.DOWN);
      }
    }
  }

  private static Optional<int[]> ranksOf(
      SlotScheduleContract schedule, SlotScheduleContract.Parameters params, long slot)
      throws Exception {
    return schedule
        .epoch(params.epochOf(slot), params.backups())
        .map(e -> e.schedule().ranksOf(slot));
  }

  private static List<SequencerInbox.SlotCommittedEventResponse> commitments(SquadNet net)
      throws Exception {
    return net.slotCommittedLogs().stream()
        .map(SequencerInbox::getSlotCommittedEventFromLog)
        .sorted(java.util.Comparator.comparingLong(e -> e.slot.longValueExact()))
        .toList();
  }
}
