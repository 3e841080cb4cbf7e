package org.avsnode.operator.app.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.avsnode.squad.SquadDuty;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/**
 * Benchmark (not a test): preconfirmation latency through the node's JSON-RPC endpoint, from the
 * HTTP call to the answer that carries the signed receipt's hash, and preconfirmations per second
 * for one leader. One operator (the leader of every slot, so no forwarding and no gossip peers),
 * built by {@link RunComponent}; a real L1 and L2 (anvil, the L2 with a 3·10^9 block gas limit so
 * the slot's gas is never the limit); 4-second slots, each sealed and committed while the clients
 * keep sending. {@code callers} clients, each its own wallet with its transactions signed before
 * the clock starts, send one at a time over loopback; the first 10% of each client's calls are a
 * warm-up. A call refused at a slot boundary ({@code SLOT_SEALED}, not opened yet) is sent again
 * and counted.
 *
 * <p>Usage: {@code SquadRpcBench <transactions> <callers> <out.json>}.
 */
public final class SquadRpcBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SquadRpcBench() {}

  public static void main(String[] args) throws Exception {
    int total = Integer.parseInt(args[0]);
    int callers = Integer.parseInt(args[1]);
    Path out = Path.of(args[2]);
    Path dir = Files.createTempDirectory("squad-rpc-bench");
    try (SquadNet net =
        SquadNet.start(
            dir,
            1,
            4,
            60,
            Map.of("max-tx-per-slot", "1000000"),
            List.of("--gas-limit", "3000000000"))) {
      String endpoint = net.nodes.get(0).apiUrl() + SquadDuty.RPC_PATH;
      int perCaller = total / callers;
      List<List<String>> signed = new ArrayList<>();
      String to = net.l2Account().getAddress();
      for (int c = 0; c < callers; c++) {
        Credentials wallet = net.l2Account();
        List<String> txs = new ArrayList<>();
        for (int n = 0; n < perCaller; n++) {
          RawTransaction t =
              RawTransaction.createTransaction(
                  SquadNet.L2_CHAIN,
                  BigInteger.valueOf(n),
                  BigInteger.valueOf(21_000),
                  to,
                  BigInteger.ONE,
                  "0x",
                  BigInteger.valueOf(1_000_000_000L),
                  BigInteger.valueOf(20_000_000_000L));
          txs.add(
              Numeric.toHexString(TransactionEncoder.signMessage(t, SquadNet.L2_CHAIN, wallet)));
        }
        signed.add(txs);
      }
      net.awaitGenesis();
      Thread.sleep(500);
      HttpClient http = HttpClient.newHttpClient();
      AtomicInteger resent = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(callers);
      long t0 = System.nanoTime();
      List<Future<long[]>> results = new ArrayList<>();
      for (List<String> txs : signed) {
        results.add(
            pool.submit(
                () -> {
                  long[] lat = new long[txs.size()];
                  for (int i = 0; i < txs.size(); i++) {
                    while (true) {
                      long s = System.nanoTime();
                      JsonNode a = send(http, endpoint, txs.get(i));
                      long e = System.nanoTime();
                      if (a.has("result")) {
                        lat[i] = e - s;
                        break;
                      }
                      String m = a.path("error").path("message").asText();
                      if (!(m.contains("SLOT_SEALED") || m.contains("has not opened"))) {
                        throw new IllegalStateException("refused: " + m);
                      }
                      resent.incrementAndGet();
                    }
                  }
                  return lat;
                }));
      }
      List<Long> measured = new ArrayList<>();
      int accepted = 0;
      for (Future<long[]> f : results) {
        long[] lat = f.get();
        accepted += lat.length;
        for (int i = lat.length / 10; i < lat.length; i++) {
          measured.add(lat[i]);
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      pool.shutdownNow();
      long[] sorted = measured.stream().mapToLong(Long::longValue).toArray();
      Arrays.sort(sorted);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("transactions", accepted);
      r.put("callers", callers);
      r.put("latencyP50Ms", round(sorted[sorted.length / 2] / 1e6));
      r.put(
          "latencyP99Ms",
          round(sorted[(int) Math.min(sorted.length - 1, sorted.length * 0.99)] / 1e6));
      r.put("latencyMaxMs", round(sorted[sorted.length - 1] / 1e6));
      r.put("preconfirmationsPerSecond", Math.round(accepted / seconds));
      r.put("resentAtSlotBoundaries", resent.get());
      // the node's own view: from the request's arrival at the leader to the signed receipt
      String metrics =
          http.send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(net.nodes.get(0).apiUrl() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      double sum = metric(metrics, "_preconfirm_seconds_sum");
      double count = metric(metrics, "_preconfirm_seconds_count");
      r.put("serverMeanMs", count > 0 ? round(sum / count * 1000) : null);
      Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r));
      System.out.println(JSON.writeValueAsString(r));
    }
  }

  private static JsonNode send(HttpClient http, String endpoint, String raw) throws Exception {
    String body =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_sendRawTransaction\",\"params\":[\""
            + raw
            + "\"]}";
    HttpResponse<String> r = SquadNet.postJson(http, endpoint, body);
    return JSON.readTree(r.body());
  }

  private static double metric(String text, String suffix) {
    for (String line : text.split("\n")) {
      int sp = line.lastIndexOf(' ');
      if (!line.startsWith("#") && sp > 0 && line.substring(0, sp).endsWith(suffix)) {
        return Double.parseDouble(line.substring(sp + 1));
      }
    }
    return 0;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
