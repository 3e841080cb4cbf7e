package org.avsnode.operator.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.avsnode.contracts.bindings.SequencerInbox;
import org.avsnode.contracts.bindings.SlashingCoordinator;
import org.avsnode.operator.app.it.RunsAlone;
import org.avsnode.operator.node.NodeRuntime;
import org.avsnode.operator.spi.Health;
import org.avsnode.squad.SquadDuty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.utils.Numeric;

/**
 * SQUAD across an L1 reorg, through the wiring of {@code operator run}: three nodes, a real L1 and
 * L2 (anvil), a wallet sending to an operator's endpoint all along. Once a few slots are committed,
 * {@code anvil_reorg} replaces the L1 blocks that hold the latest commitments with empty ones, as a
 * reorg that drops those transactions would. Then:
 *
 * <ul>
 *   <li>every node's follower notices and retracts the removed commitments;
 *   <li>the chain goes on: later slots are committed on the inbox's (reorged) last block, and the
 *       L2 node's head chain holds every block committed on L1 after the reorg;
 *   <li>every preconfirmation of a slot committed after the reorg is in its slot's block, and a
 *       preconfirmation of a slot whose commitment the reorg removed is either in the block
 *       committed for that slot again or its slot has no commitment at all (then, by the offence's
 *       definition, nobody broke it; DESIGN.md §4);
 *   <li>nobody is slashed and no node stops.
 * </ul>
 */
@RunsAlone("2-second slots: after the reorg, slots must be committed again within their windows")
class SquadL1ReorgIT {
  private static final long SLOT_SECONDS = 2;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void commitmentsRemovedByAnL1ReorgAreRetractedAndTheChainGoesOn(@TempDir Path dir)
      throws Exception {
    try (SquadNet net = SquadNet.start(dir, 3, SLOT_SECONDS, 1, 1, 4, Map.of(), List.of())) {
      SequencerInbox inbox =
          SequencerInbox.load(
              net.squad.inbox(),
              net.w1,
              new ReadonlyTransactionManager(net.w1, net.deployer.getAddress()),
              net.gas);
      // wallets funded before slot 0 (the L2 genesis state), each sending one transfer at a time
      List<Credentials> wallets = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        wallets.add(net.l2Account());
      }
      net.awaitGenesis();
      String endpoint = net.nodes.get(0).apiUrl() + SquadDuty.RPC_PATH;
      Map<String, Long> preconfirmed = new ConcurrentHashMap<>(); // tx hash -> slot
      AtomicBoolean sending = new AtomicBoolean(true);
      Thread wallet =
          new Thread(
              () -> {
                String to = Credentials.create(newKey()).getAddress();
                int w = 0;
                while (sending.get()) {
                  Credentials from = wallets.get(w++ % wallets.size());
                  try {
                    JsonNode nonce =
                        SquadNet.call(
                            http,
                            endpoint,
                            "eth_getTransactionCount",
                            List.of(from.getAddress(), "pending"));
                    BigInteger n = Numeric.toBigInt(nonce.path("result").asText("0x0"));
                    String raw = SquadNet.transfer(from, n, SquadNet.L2_CHAIN, to);
                    JsonNode r =
                        SquadNet.call(http, endpoint, "eth_sendRawTransaction", List.of(raw));
                    if (r.has("result")) {
                      String h = r.get("result").asText().toLowerCase(Locale.ROOT);
                      JsonNode p =
                          SquadNet.call(http, endpoint, "squad_getPreconfirmation", List.of(h))
                              .path("result");
                      if (p.isObject()) {
                        preconfirmed.put(h, p.get("slot").asLong());
                      }
                    }
                    Thread.sleep(150);
                  } catch (InterruptedException e) {
                    return;
                  } catch (Exception e) {
                    // a refusal at a slot boundary or across the reorg: the next one goes on
                  }
                }
              },
              "reorg-it-wallet");
      wallet.setDaemon(true);
      wallet.start();
      try {
        // a few committed slots, each checked by every node
        SquadNet.awaitTrue(
            () -> inbox.committedCount().send().longValueExact() >= 3 && attestedOnEveryNode(net),
            40,
            "3 committed slots, attested by every node");
        TreeMap<Long, Log> before = commitments(net);
        long head = net.w1.ethBlockNumber().send().getBlockNumber().longValueExact();
        // the latest two commitments' L1 blocks and everything above them
        List<Log> latest = new ArrayList<>(before.values());
        Log secondLast = latest.get(latest.size() - 2);
        long depth = head - secondLast.getBlockNumber().longValueExact() + 1;
        assertThat(depth)
            .as("the reorg stays within the followers' 32-block window")
            .isLessThan(20);
        long removedFrom = slotOf(secondLast);
        SquadNet.rpc(net.l1Http, "anvil_reorg", List.of(depth, List.of()));
        // anvil gives the replacement blocks earlier times and its clock then stays behind; a real
        // reorg's blocks carry their own slots' times: L1 time is set back to the wall clock
        SquadNet.rpc(net.l1Http, "anvil_setTime", List.of(System.currentTimeMillis() / 1000));
        long lastAfterReorg = inbox.lastSlot().send().longValueExact();
        assertThat(lastAfterReorg)
            .as("the reorg removed the commitments of slot %d and later", removedFrom)
            .isLessThan(removedFrom);
        long removedTo = before.lastKey();
        System.out.printf(
            "reorg of %d L1 block(s) removed the commitments of slots %d..%d; the inbox's last"
                + " slot is %d%n",
            depth, removedFrom, removedTo, lastAfterReorg);

        // every node's follower retracts what it had read
        SquadNet.awaitTrue(
            () -> {
              for (NodeRuntime n : net.nodes) {
                if (outcome(n, "retracted") < 1) {
                  return false;
                }
              }
              return true;
            },
            20,
            "every node retracted the removed commitments");
        // and then read the escape hatch again for the slot it leads, if any (the removed
        // commitments may have moved the forced queue's cursor back; no item is queued here, so a
        // node leading an open slot finds it clear)
        SquadNet.awaitTrue(
            () -> {
              for (NodeRuntime n : net.nodes) {
                if (escapeRechecks(n, "clear") + escapeRechecks(n, "no_open_slot") < 1) {
                  return false;
                }
              }
              return true;
            },
            10,
            "every node read the escape hatch again after the reorg");
        for (NodeRuntime n : net.nodes) {
          assertThat(escapeRechecks(n, "refusing")).as("no forced item is queued").isZero();
        }
        // the chain goes on: slots after the removed ones are committed and checked, until more
        // than 10 preconfirmations belong to committed slots (a reorg early in the run leaves
        // only slot 0 before it, and the slots right after it may carry the removed slots'
        // promises without any of their own: CI once stopped with 10)
        SquadNet.awaitTrue(
            () -> {
              if (inbox.lastSlot().send().longValueExact() < removedTo + 3) {
                return false;
              }
              java.util.Set<Long> committedSlots = commitments(net).keySet();
              return preconfirmed.values().stream().filter(committedSlots::contains).count() > 10;
            },
            60,
            "slots committed after the reorg, with more than 10 preconfirmations of their own");
        sending.set(false);
        wallet.interrupt();
        wallet.join(5_000);
        // every preconfirmed slot settled: committed, or every rank's window closed (1 backup,
        // 1 s each) and a second of margin
        long lastPreconfirmed =
            preconfirmed.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        long settledAt = (net.genesis + (lastPreconfirmed + 1) * SLOT_SECONDS + 2 + 1) * 1000;
        while (System.currentTimeMillis() < settledAt
            && inbox.lastSlot().send().longValueExact() < lastPreconfirmed) {
          Thread.sleep(200);
        }

        TreeMap<Long, Log> after = commitments(net);
        // the commitments after the reorg chain from one another, and the L2 node's head chain
        // holds every one of them
        Map<String, Long> onL2 = net.l2Chain();
        String prevHash = null;
        for (Log l : after.values()) {
          SequencerInbox.SlotCommittedEventResponse e =
              SequencerInbox.getSlotCommittedEventFromLog(l);
          String parent = Numeric.toHexString(e.parentHash);
          String block = Numeric.toHexString(e.blockHash);
          if (prevHash != null) {
            assertThat(parent)
                .as("slot %s builds on the last committed block", e.slot)
                .isEqualTo(prevHash);
          }
          prevHash = block;
          if (e.slot.longValueExact() > lastAfterReorg) {
            assertThat(onL2)
                .as("the L2 node's chain holds slot %s's block", e.slot)
                .containsKey(block);
          }
        }
        // preconfirmations: in their slot's committed block; a slot whose commitment the reorg
        // removed (and that nobody committed again) has no block to break a promise in, and its
        // preconfirmed transactions are carried into the block of a later committed slot
        Map<String, Long> committedBlocks = new HashMap<>();
        for (Log l : after.values()) {
          SequencerInbox.SlotCommittedEventResponse e =
              SequencerInbox.getSlotCommittedEventFromLog(l);
          committedBlocks.put(Numeric.toHexString(e.blockHash), e.slot.longValueExact());
        }
        int kept = 0;
        int noBlock = 0;
        int carried = 0;
        for (Map.Entry<String, Long> p : preconfirmed.entrySet()) {
          long slot = p.getValue();
          Log c = after.get(slot);
          if (c == null) {
            assertThat(slot)
                .as("only a slot the reorg removed (or missed) has no commitment: %s", p.getKey())
                .isBetween(removedFrom, after.lastKey());
            noBlock++;
            var receipt =
                net.w2.ethGetTransactionReceipt(p.getKey()).send().getTransactionReceipt();
            assertThat(receipt)
                .as(
                    "preconfirmed %s of slot %d, which has no block, is on the L2",
                    p.getKey(), slot)
                .isPresent();
            Long in = committedBlocks.get(receipt.get().getBlockHash().toLowerCase(Locale.ROOT));
            assertThat(in)
                .as("%s of slot %d is in the block of a later committed slot", p.getKey(), slot)
                .isNotNull()
                .isGreaterThan(slot);
            carried++;
            continue;
          }
          String block =
              Numeric.toHexString(SequencerInbox.getSlotCommittedEventFromLog(c).blockHash);
          List<String> txs = new ArrayList<>();
          net.w2
              .ethGetBlockByHash(block, false)
              .send()
              .getBlock()
              .getTransactions()
              .forEach(t -> txs.add(((String) t.get()).toLowerCase(Locale.ROOT)));
          assertThat(txs)
              .as("the block committed for slot %d holds %s", slot, p.getKey())
              .contains(p.getKey());
          kept++;
        }
        System.out.printf(
            "%d preconfirmation(s) in their slot's block, %d of slots left without a block (%d of"
                + " those carried into a later committed slot's block)%n",
            kept, noBlock, carried);
        assertThat(kept).isGreaterThan(10);
        assertThat(noBlock).as("the reorg left preconfirmed slots without a block").isPositive();
        double carriedByNodes = 0;
        for (NodeRuntime n : net.nodes) {
          carriedByNodes +=
              SquadNet.metric(
                  http, n, "avs_squad_carried_transactions_total{outcome=\"carried\",}");
        }
        assertThat(carriedByNodes).isGreaterThanOrEqualTo(noBlock);

        // nobody was slashed, and every node still runs its duty
        SlashingCoordinator coordinator =
            SlashingCoordinator.load(
                net.dep.contracts().slashingCoordinator(),
                net.w1,
                new ReadonlyTransactionManager(net.w1, net.deployer.getAddress()),
                net.gas);
        EthFilter slashed =
            new EthFilter(
                DefaultBlockParameter.valueOf(BigInteger.ZERO),
                DefaultBlockParameterName.LATEST,
                coordinator.getContractAddress());
        // every kind of evidence ends in this one event
        slashed.addSingleTopic(EventEncoder.encode(SlashingCoordinator.EQUIVOCATIONSLASHED_EVENT));
        assertThat(net.w1.ethGetLogs(slashed).send().getLogs())
            .as("slashing coordinator logs")
            .isEmpty();
        for (NodeRuntime n : net.nodes) {
          assertThat(n.duty(SquadDuty.ID).orElseThrow().health().status())
              .isNotEqualTo(Health.Status.DOWN);
          assertThat(outcome(n, "breach")).isZero();
        }
      } finally {
        sending.set(false);
        wallet.interrupt();
        wallet.join(5_000);
      }
    }
  }

  private boolean attestedOnEveryNode(SquadNet net) throws Exception {
    for (NodeRuntime n : net.nodes) {
      if (outcome(n, "attested") < 2) {
        return false;
      }
    }
    return true;
  }

  /** The inbox's SlotCommitted logs now, by slot. */
  private static TreeMap<Long, Log> commitments(SquadNet net) throws Exception {
    TreeMap<Long, Log> out = new TreeMap<>();
    for (Log log : net.slotCommittedLogs()) {
      out.put(slotOf(log), log);
    }
    return out;
  }

  private static long slotOf(Log log) {
    return SequencerInbox.getSlotCommittedEventFromLog(log).slot.longValueExact();
  }

  private double escapeRechecks(NodeRuntime n, String outcome) throws Exception {
    return SquadNet.metric(
        http, n, "avs_squad_escape_rechecks_total{outcome=\"" + outcome + "\",}");
  }

  private double outcome(NodeRuntime n, String outcome) throws Exception {
    return SquadNet.metric(http, n, "avs_squad_slots_checked_total{outcome=\"" + outcome + "\",}");
  }

  private static org.web3j.crypto.ECKeyPair newKey() {
    try {
      return Keys.createEcKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
