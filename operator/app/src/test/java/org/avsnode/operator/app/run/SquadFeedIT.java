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
import org.avsnode.contracts.bindings.SequencerInbox;
import org.avsnode.operator.node.NodeRuntime;
import org.avsnode.squad.SquadDuty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.utils.Numeric;

/**
 * {@code l2-feed}: a leader with an L2 node of its own (one operator, a real L1 and L2 anvil, the
 * node built by {@link RunComponent} as {@code operator run} builds it) hands each slot's
 * transactions to the L2 node while the slot is open. A wallet's steady stream of transactions is
 * preconfirmed and lands in the block of its slot, in the order it was accepted, with the pool fed
 * during the slot ({@code how="fed"}). Then a forced item is queued on L1 while a slot is open and
 * falls due before its seal: what the pool holds is not that block's start any more, so the seal
 * empties the pool and sends the whole block ({@code how="sent_at_seal"}), the forced item first,
 * and no preconfirmation is lost either way.
 */
class SquadFeedIT {
  private static final long SLOT_SECONDS = 2;
  private static final long DUE_AFTER = 3;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aLeadersOwnL2NodeIsFedDuringTheSlotAndEveryPromiseLandsInItsBlockInOrder(@TempDir Path dir)
      throws Exception {
    try (SquadNet net = SquadNet.start(dir, 1, SLOT_SECONDS, DUE_AFTER, Map.of(), List.of())) {
      NodeRuntime node = net.nodes.get(0);
      String endpoint = node.apiUrl() + SquadDuty.RPC_PATH;
      Credentials user = net.l2Account();
      String to = net.l2Account().getAddress();
      net.awaitGenesis();

      // about three slots of a steady stream, 25 transactions a second; the L2 node's pool is
      // looked at 100 ms after each: fed during the slot, it holds the slot's transactions until
      // the seal mines them (without the feed it is empty but for the instant of the seal)
      List<String> sent = new ArrayList<>();
      long nonce = 0;
      int looks = 0;
      int pooled = 0;
      long until = System.currentTimeMillis() + 3 * SLOT_SECONDS * 1000 + 500;
      while (System.currentTimeMillis() < until) {
        nonce = send(endpoint, user, nonce, to, sent);
        Thread.sleep(100);
        JsonNode status =
            SquadNet.call(http, net.l2.rpcUrl(), "txpool_status", List.of()).path("result");
        looks++;
        if (Numeric.toBigInt(status.path("pending").asText("0x0")).signum() > 0) {
          pooled++;
        }
      }
      assertThat(pooled)
          .as("looks at the L2 pool that found the open slot's transactions in it, of %d", looks)
          .isGreaterThan(looks / 2);
      SquadNet.awaitTrue(
          () -> fed(node, "fed") >= 2, 30, "two slots sealed from a pool fed during the slot");
      assertThat(fed(node, "sent_at_seal")).as("no slot had to be sent at its seal").isZero();

      // a forced item queued while a slot is open, due (3 s) before that slot's seal horizon: not
      // known when the slot opened, so that slot's pool is emptied and its block sent whole
      Credentials forcedUser = net.l2Account();
      String forcedRaw = SquadNet.transfer(forcedUser, BigInteger.ZERO, SquadNet.L2_CHAIN, to);
      String forcedHash =
          Numeric.toHexString(org.web3j.crypto.Hash.sha3(Numeric.hexStringToByteArray(forcedRaw)));
      double sentAtSealBefore = fed(node, "sent_at_seal");
      net.enqueueForced(forcedRaw);
      until = System.currentTimeMillis() + 3 * SLOT_SECONDS * 1000;
      while (System.currentTimeMillis() < until) {
        nonce = send(endpoint, user, nonce, to, sent);
        Thread.sleep(40);
      }
      SquadNet.awaitTrue(
          () -> fed(node, "sent_at_seal") > sentAtSealBefore,
          30,
          "a slot whose forced item fell due during it sent at its seal");

      // every preconfirmed transaction in the block committed for its slot, each slot's in the
      // order they were accepted (one sender: nonce order), after the slot's forced items
      Map<Long, List<String>> bySlot = new TreeMap<>();
      for (String h : sent) {
        JsonNode p =
            SquadNet.call(http, endpoint, "squad_getPreconfirmation", List.of(h)).path("result");
        assertThat(p.isObject()).as("preconfirmation of %s", h).isTrue();
        bySlot.computeIfAbsent(p.get("slot").asLong(), s -> new ArrayList<>()).add(h);
      }
      long lastSlot = bySlot.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
      Map<Long, String> blockOfSlot = new HashMap<>();
      SquadNet.awaitTrue(
          () -> {
            blockOfSlot.clear();
            for (var l : net.slotCommittedLogs()) {
              SequencerInbox.SlotCommittedEventResponse e =
                  SequencerInbox.getSlotCommittedEventFromLog(l);
              blockOfSlot.put(e.slot.longValueExact(), Numeric.toHexString(e.blockHash));
            }
            return blockOfSlot.containsKey(lastSlot);
          },
          30,
          "slot " + lastSlot + " committed");
      boolean forcedSeen = false;
      for (Map.Entry<Long, List<String>> e : bySlot.entrySet()) {
        String blockHash = blockOfSlot.get(e.getKey());
        assertThat(blockHash).as("slot %d committed", e.getKey()).isNotNull();
        EthBlock.Block block = net.w2.ethGetBlockByHash(blockHash, false).send().getBlock();
        List<String> txs = new ArrayList<>();
        for (EthBlock.TransactionResult<?> t : block.getTransactions()) {
          txs.add(((String) t.get()).toLowerCase(Locale.ROOT));
        }
        List<String> own = new ArrayList<>(txs);
        if (txs.contains(forcedHash)) {
          forcedSeen = true;
          assertThat(txs.get(0))
              .as("the forced item comes first in its block")
              .isEqualTo(forcedHash);
          own.remove(forcedHash);
        }
        assertThat(own)
            .as(
                "slot %d's block holds its preconfirmed transactions in acceptance order",
                e.getKey())
            .isEqualTo(e.getValue());
      }
      if (!forcedSeen) {
        // the forced item's block holds no preconfirmed transaction of this wallet
        assertThat(blockWith(net, forcedHash))
            .as("the forced item is in a committed block")
            .isTrue();
      }
    }
  }

  /** Sends the wallet's next transfer; the nonce after it. */
  private long send(String endpoint, Credentials user, long nonce, String to, List<String> sent)
      throws Exception {
    String raw = SquadNet.transfer(user, BigInteger.valueOf(nonce), SquadNet.L2_CHAIN, to);
    JsonNode a = SquadNet.call(http, endpoint, "eth_sendRawTransaction", List.of(raw));
    if (a.has("result")) {
      sent.add(a.get("result").asText().toLowerCase(Locale.ROOT));
      return nonce + 1;
    }
    String m = a.path("error").path("message").asText();
    assertThat(m).as("only a slot boundary refuses").containsAnyOf("SLOT_SEALED", "has not opened");
    return nonce;
  }

  private double fed(NodeRuntime node, String how) throws Exception {
    return SquadNet.metric(http, node, "avs_squad_l2_feed_seals_total{how=\"" + how + "\",}");
  }

  private static boolean blockWith(SquadNet net, String txHash) throws Exception {
    var r = net.w2.ethGetTransactionReceipt(txHash).send().getTransactionReceipt();
    return r.isPresent()
        && net.l2Chain().containsKey(r.get().getBlockHash().toLowerCase(Locale.ROOT));
  }
}
