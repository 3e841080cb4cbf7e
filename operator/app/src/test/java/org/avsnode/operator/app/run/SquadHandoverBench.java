package org.avsnode.operator.app.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.avsnode.contracts.bindings.SequencerInbox;
import org.avsnode.squad.SquadDuty;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Benchmark (not a test): handover after a missed slot. Three operators built by {@link
 * RunComponent}, one of them offline from slot 0 (its sequencer stopped); 2-second slots, one
 * backup, a 1-second window per rank. The benchmark watches the inbox's {@code SlotCommitted}
 * events every 20 ms and times each commitment from the moment its slot's leader missed its
 * deadline (slot end + grace) to the moment the event is seen on L1. The baseline measured in the
 * same run is a leader's own commitment, timed from its slot's end.
 *
 * <p>Usage: {@code SquadHandoverBench <seconds> <out.json>}.
 */
public final class SquadHandoverBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SLOT = 2;
  private static final long GRACE = 1;

  private SquadHandoverBench() {}

  public static void main(String[] args) throws Exception {
    long seconds = Long.parseLong(args[0]);
    Path out = Path.of(args[1]);
    Path dir = Files.createTempDirectory("squad-handover-bench");
    // the nodes' databases (hundreds of MB after a throughput run) go when the JVM ends
    Runtime.getRuntime().addShutdownHook(new Thread(() -> SquadNet.deleteTree(dir)));
    try (SquadNet net = SquadNet.start(dir, 3, SLOT, 1, GRACE, 60, Map.of(), List.of())) {
      net.nodes.get(2).duty(SquadDuty.ID).orElseThrow().stop();
      net.awaitGenesis();
      long genesisMillis = net.genesis * 1000;
      Map<Long, Long> seenAt = new HashMap<>();
      Map<Long, Integer> rankOf = new HashMap<>();
      long from = 0;
      long until = System.currentTimeMillis() + seconds * 1000;
      while (System.currentTimeMillis() < until) {
        long head = net.w1.ethBlockNumber().send().getBlockNumber().longValueExact();
        if (head >= from) {
          EthFilter f =
              new EthFilter(
                  DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
                  DefaultBlockParameter.valueOf(BigInteger.valueOf(head)),
                  net.squad.inbox());
          f.addSingleTopic(org.web3j.abi.EventEncoder.encode(SequencerInbox.SLOTCOMMITTED_EVENT));
          long now = System.currentTimeMillis();
          for (var r : net.w1.ethGetLogs(f).send().getLogs()) {
            var e = SequencerInbox.getSlotCommittedEventFromLog((Log) r.get());
            long slot = e.slot.longValueExact();
            seenAt.putIfAbsent(slot, now);
            rankOf.putIfAbsent(slot, e.rank.intValue());
          }
          from = head + 1;
        }
        Thread.sleep(20);
      }
      List<Long> handovers = new ArrayList<>();
      List<Long> leaderCommits = new ArrayList<>();
      long lastSlot = rankOf.keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
      int uncommitted = 0;
      for (long s = 1; s <= lastSlot; s++) {
        Long seen = seenAt.get(s);
        if (seen == null) {
          uncommitted++;
          continue;
        }
        long end = genesisMillis + (s + 1) * SLOT * 1000;
        if (rankOf.get(s) == 0) {
          leaderCommits.add(seen - end);
        } else {
          handovers.add(seen - (end + GRACE * 1000));
        }
      }
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("slots", lastSlot);
      r.put("takeovers", handovers.size());
      r.put("uncommitted", uncommitted);
      r.put("handoverP50Ms", percentile(handovers, 50));
      r.put("handoverP99Ms", percentile(handovers, 99));
      r.put("handoverMaxMs", percentile(handovers, 100));
      r.put("leaderCommits", leaderCommits.size());
      r.put("leaderCommitP50Ms", percentile(leaderCommits, 50));
      r.put("leaderCommitP99Ms", percentile(leaderCommits, 99));
      Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r));
      System.out.println(JSON.writeValueAsString(r));
    }
  }

  private static long percentile(List<Long> values, double p) {
    if (values.isEmpty()) {
      return -1;
    }
    long[] v = values.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(v);
    int i = (int) Math.ceil(p / 100.0 * v.length) - 1;
    return v[Math.max(0, Math.min(v.length - 1, i))];
  }
}
