package org.avsnode.operator.app.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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

/**
 * Benchmark (not a test): preconfirmation latency through the node's JSON-RPC endpoint, from the
 * HTTP call to the answer that carries the signed receipt's hash, and preconfirmations per second
 * for one leader. One operator (the leader of every slot, so no forwarding and no gossip peers),
 * built by {@link RunComponent}; a real L1 and L2 (anvil, the L2 with a 3·10^9 block gas limit so
 * the slot's gas is never the limit); 4-second slots, each sealed and committed while the clients
 * keep sending. {@code callers} clients, each its own wallet with its transactions signed before
 * the clock starts, send one at a time over loopback, each on its own kept-alive HTTP/1.1
 * connection ({@link PlainHttp}). First every client sends {@code warmup} transactions, untimed, so
 * that the JIT has compiled the hot paths of the node and the clients (a leader runs for hours;
 * without this most of a short run is the C2 compiler's time); then the clock starts and each sends
 * {@code transactions / callers} more. A call refused at a slot boundary ({@code SLOT_SEALED}, not
 * opened yet) or by a full slot ({@code SLOT_FULL}, {@link #MAX_TX_PER_SLOT}; after 20 ms) is sent
 * again and counted. Between the warm-up and the timed calls, the same callers make {@link
 * #BASELINE_CALLS} {@code eth_chainId} calls (after as many untimed), which the node answers
 * itself: the endpoint's floor on this machine in this run, to compare runs on machines of
 * different speed.
 *
 * <p>Usage: {@code SquadRpcBench <transactions> <callers> <out.json> [warmup per caller]}; for a
 * comparison, {@code -Davs.bench.l2-feed=false} (the whole slot sent at the seal, as before
 * 2026-12-08; with {@code -Davs.bench.max-tx-per-slot=5000}, the cap of then) and {@code
 * -Davs.bench.max-tx-per-slot=N}.
 */
public final class SquadRpcBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The leader's cap per slot. Without a cap the leader accepted more than it could seal in time
   * once the slashing-protection journal made preconfirmations cheaper (2026-12-07: 6,000 in a
   * slot, all taken by the L2 anvil at the seal, the commitment too late); the cap was 5,000 then,
   * which bounded the endpoint at 1,250/s. Since the leader feeds its L2 node during the slot
   * (l2-feed, 2026-12-08), a seal is mostly the mining (about 30 µs of anvil's CPU a transaction)
   * and what the feed had not sent yet: 10,000, more than this machine reaches in a 4 s slot.
   */
  static final int MAX_TX_PER_SLOT = 10_000;

  /** eth_chainId calls of the baseline (after as many untimed ones). */
  static final int BASELINE_CALLS = 40_000;

  private SquadRpcBench() {}

  public static void main(String[] args) throws Exception {
    int total = Integer.parseInt(args[0]);
    int callers = Integer.parseInt(args[1]);
    Path out = Path.of(args[2]);
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    Path dir = Files.createTempDirectory("squad-rpc-bench");
    // the nodes' databases (hundreds of MB after a throughput run) go when the JVM ends
    Runtime.getRuntime().addShutdownHook(new Thread(() -> SquadNet.deleteTree(dir)));
    try (SquadNet net =
        SquadNet.start(
            dir,
            1,
            4,
            60,
            Map.of(
                "max-tx-per-slot",
                System.getProperty("avs.bench.max-tx-per-slot", String.valueOf(MAX_TX_PER_SLOT)),
                "l2-feed",
                System.getProperty("avs.bench.l2-feed", "true")),
            List.of("--gas-limit", "3000000000"))) {
      String endpoint = net.nodes.get(0).apiUrl() + SquadDuty.RPC_PATH;
      int perCaller = total / callers;
      int signedPerCaller = warmup + perCaller;
      List<List<String>> signed = new ArrayList<>();
      String to = net.l2Account().getAddress();
      for (int c = 0; c < callers; c++) {
        Credentials wallet = net.l2Account();
        List<String> txs = new ArrayList<>();
        for (int n = 0; n < signedPerCaller; n++) {
          txs.add(SquadNet.transfer(wallet, BigInteger.valueOf(n), SquadNet.L2_CHAIN, to));
        }
        signed.add(txs);
      }
      net.awaitGenesis();
      Thread.sleep(500);
      HttpClient http = HttpClient.newHttpClient();
      AtomicInteger resent = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(callers);
      long w0 = System.nanoTime();
      if (warmup > 0) {
        run(pool, http, endpoint, signed, 0, warmup, resent);
      }
      double warmupSeconds = (System.nanoTime() - w0) / 1e9;
      // the endpoint's floor on this machine, same run: eth_chainId, which the node answers
      // itself (HTTP, JSON, the method's dispatch; no signature, no database, no L2), by the same
      // callers on the same kind of connection; a reference for comparing runs on machines whose
      // speed differs, since this one's has drifted by more than half between days
      runBaseline(pool, endpoint, callers, BASELINE_CALLS / callers); // untimed: the JIT
      Map<String, Long> baseMachineBefore = machineTimes(net);
      long b0 = System.nanoTime();
      long[] baseLat = runBaseline(pool, endpoint, callers, BASELINE_CALLS / callers);
      double baseSeconds = (System.nanoTime() - b0) / 1e9;
      Map<String, Long> baseMachineAfter = machineTimes(net);
      long[] serverBefore = serverTimes(http, net.nodes.get(0).apiUrl());
      Map<String, Long> cpuBefore = cpuTimes();
      Map<String, Long> machineBefore = machineTimes(net);
      long t0 = System.nanoTime();
      List<long[]> lats = run(pool, http, endpoint, signed, warmup, signedPerCaller, resent);
      double seconds = (System.nanoTime() - t0) / 1e9;
      Map<String, Long> cpuAfter = cpuTimes();
      Map<String, Long> machineAfter = machineTimes(net);
      long[] serverAfter = serverTimes(http, net.nodes.get(0).apiUrl());
      long[] sorted = lats.stream().flatMapToLong(Arrays::stream).sorted().toArray();
      int accepted = sorted.length;
      pool.shutdownNow();
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("transactions", accepted);
      r.put("callers", callers);
      r.put("warmupPerCaller", warmup);
      r.put("warmupSeconds", round(warmupSeconds));
      r.put("latencyP50Ms", round(sorted[sorted.length / 2] / 1e6));
      r.put(
          "latencyP99Ms",
          round(sorted[(int) Math.min(sorted.length - 1, sorted.length * 0.99)] / 1e6));
      r.put("latencyMaxMs", round(sorted[sorted.length - 1] / 1e6));
      r.put("preconfirmationsPerSecond", Math.round(accepted / seconds));
      r.put("resentAtSlotBoundaries", resent.get());
      Arrays.sort(baseLat);
      r.put("baselineCalls", baseLat.length);
      r.put("baselineCallsPerSecond", Math.round(baseLat.length / baseSeconds));
      r.put("baselineLatencyP50Ms", round(baseLat[baseLat.length / 2] / 1e6));
      r.put(
          "baselineLatencyP99Ms",
          round(baseLat[(int) Math.min(baseLat.length - 1, baseLat.length * 0.99)] / 1e6));
      for (String k : new String[] {"allCoresBusy", "allCoresSteal"}) {
        Long before = baseMachineBefore.get(k);
        Long after = baseMachineAfter.get(k);
        if (before != null && after != null) {
          r.put("baseline_" + k + "MicrosPerCall", round((after - before) / 1e3 / baseLat.length));
        }
      }
      // the floor's calls per second over the preconfirmations per second, same run
      r.put(
          "baselineCallsPerPreconfirmation",
          round((baseLat.length / baseSeconds) / (accepted / seconds)));
      // how the leader's slots went to its L2 node (l2-feed): handed over during the slot, or
      // all at the seal (over the whole run, warm-up included)
      for (String how : new String[] {"fed", "sent_at_seal"}) {
        r.put(
            "l2FeedSeals_" + how,
            Math.round(
                SquadNet.metric(
                    http,
                    net.nodes.get(0),
                    "avs_squad_l2_feed_seals_total{how=\"" + how + "\",}")));
      }
      // the node's own view of the measured calls: from the request's arrival at the leader to
      // the signed receipt (the histogram's sum, in microseconds, and count)
      long count = serverAfter[1] - serverBefore[1];
      r.put(
          "serverMeanMs",
          count > 0 ? round((serverAfter[0] - serverBefore[0]) / 1000.0 / count) : null);
      // where this JVM's CPU went during the measured calls, per preconfirmation
      Map<String, Object> cpu = new LinkedHashMap<>();
      for (Map.Entry<String, Long> e : cpuByGroup(cpuBefore, cpuAfter).entrySet()) {
        cpu.put(e.getKey(), round(e.getValue() / 1e3 / accepted));
      }
      r.put("jvmCpuMicrosPerPreconfirmation", cpu);
      // the rest of the machine over the same calls: both anvils (each with its child processes)
      // and every core's busy and idle time from /proc/stat
      Map<String, Object> machine = new LinkedHashMap<>();
      for (Map.Entry<String, Long> e : machineAfter.entrySet()) {
        Long before = machineBefore.get(e.getKey());
        if (before != null && e.getValue() >= 0 && before >= 0) {
          machine.put(e.getKey(), round((e.getValue() - before) / 1e3 / accepted));
        }
      }
      r.put("machineCpuMicrosPerPreconfirmation", machine);
      Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r));
      System.out.println(JSON.writeValueAsString(r));
    }
  }

  /** Each caller sends its transactions {@code from} to {@code to}; their latencies in ns. */
  private static List<long[]> run(
      ExecutorService pool,
      HttpClient http,
      String endpoint,
      List<List<String>> signed,
      int from,
      int to,
      AtomicInteger resent)
      throws Exception {
    List<Future<long[]>> results = new ArrayList<>();
    for (List<String> txs : signed) {
      results.add(
          pool.submit(
              () -> {
                long[] lat = new long[to - from];
                try (PlainHttp conn = new PlainHttp(java.net.URI.create(endpoint))) {
                  for (int i = from; i < to; i++) {
                    String body =
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_sendRawTransaction\","
                            + "\"params\":[\""
                            + txs.get(i)
                            + "\"]}";
                    while (true) {
                      long s = System.nanoTime();
                      String a = conn.post(body);
                      long e = System.nanoTime();
                      if (a.contains("\"result\"")) {
                        lat[i - from] = e - s;
                        break;
                      }
                      String m = JSON.readTree(a).path("error").path("message").asText();
                      if (m.contains("SLOT_FULL")) {
                        Thread.sleep(20); // the next slot takes it, as a wallet would resend
                      } else if (!(m.contains("SLOT_SEALED") || m.contains("has not opened"))) {
                        throw new IllegalStateException("refused: " + m);
                      }
                      resent.incrementAndGet();
                    }
                  }
                }
                return lat;
              }));
    }
    List<long[]> out = new ArrayList<>();
    for (Future<long[]> f : results) {
      out.add(f.get());
    }
    return out;
  }

  /** Each caller sends {@code perCaller} eth_chainId calls; their latencies in ns. */
  private static long[] runBaseline(
      ExecutorService pool, String endpoint, int callers, int perCaller) throws Exception {
    String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}";
    List<Future<long[]>> results = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      results.add(
          pool.submit(
              () -> {
                long[] lat = new long[perCaller];
                try (PlainHttp conn = new PlainHttp(java.net.URI.create(endpoint))) {
                  for (int i = 0; i < perCaller; i++) {
                    long s = System.nanoTime();
                    String a = conn.post(body);
                    lat[i] = System.nanoTime() - s;
                    if (!a.contains("\"result\"")) {
                      throw new IllegalStateException("eth_chainId failed: " + a);
                    }
                  }
                }
                return lat;
              }));
    }
    long[] all = new long[0];
    for (Future<long[]> f : results) {
      long[] l = f.get();
      int n = all.length;
      all = Arrays.copyOf(all, n + l.length);
      System.arraycopy(l, 0, all, n, l.length);
    }
    return all;
  }

  /**
   * CPU time in ns of this JVM, keyed: the whole process ({@code process}), the JIT compilers
   * ({@code jitCompilation}: wall time of compilations, which run on their own threads), GC ({@code
   * gcCollections}), and each live Java thread ({@code <group>#<thread id>}, grouped by name
   * prefix: Jetty's {@code http-}, the clients' pool and every java.net.http client, SQUAD's own
   * threads, the rest).
   */
  private static Map<String, Long> cpuTimes() {
    Map<String, Long> out = new LinkedHashMap<>();
    out.put(
        "process",
        ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime());
    out.put(
        "jitCompilation",
        java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime()
            * 1_000_000L);
    long gc = 0;
    for (var b : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      gc += b.getCollectionTime() * 1_000_000L;
    }
    out.put("gcCollections", gc);
    // every thread of this process as the kernel counts it (/proc/self/task), the JVM's own
    // threads included (JIT compilers, GC workers), which the thread MXBean does not list
    for (Map.Entry<String, Long> e : osThreadCpu().entrySet()) {
      out.put("os:" + e.getKey(), e.getValue());
    }
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      long c = t == null ? -1 : threads.getThreadCpuTime(t.getThreadId());
      if (c < 0) {
        continue; // ended meanwhile
      }
      String n = t.getThreadName();
      String group =
          n.startsWith("http-")
              ? "nodeHttpWorkers"
              : n.startsWith("pool-") || n.startsWith("HttpClient-")
                  ? "clientsAndHttpClients"
                  : n.startsWith("squad-") ? "squadDuty" : "otherJavaThreads";
      out.put(group + "#" + t.getThreadId(), c);
    }
    return out;
  }

  /**
   * CPU time in ns of each thread of this process from {@code /proc/self/task/<tid>/stat}, keyed
   * {@code <group>#<tid>}: the JIT compilers ({@code jitThreads}), the garbage collector's threads
   * ({@code gcThreads}), Jetty's ({@code nodeHttpWorkers}), the clients' and java.net.http's
   * ({@code clientsAndHttpClients}), SQUAD's ({@code squadDuty}), the rest ({@code other}). Empty
   * where there is no {@code /proc}.
   */
  private static Map<String, Long> osThreadCpu() {
    Map<String, Long> out = new LinkedHashMap<>();
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return out;
    }
    try (java.util.stream.Stream<Path> all = Files.list(tasks)) {
      for (Path t : (Iterable<Path>) all::iterator) {
        try {
          String comm = Files.readString(t.resolve("comm")).trim();
          String stat = Files.readString(t.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          // fields 14 and 15 of stat (utime, stime), here at 11 and 12: clock ticks of 10 ms
          long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
          String group =
              comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")
                  ? "jitThreads"
                  : comm.startsWith("GC Thread") || comm.startsWith("G1 ")
                      ? "gcThreads"
                      : comm.startsWith("http-")
                          ? "nodeHttpWorkers"
                          : comm.startsWith("pool-") || comm.startsWith("HttpClient-")
                              ? "clientsAndHttpClients"
                              : comm.startsWith("squad-") ? "squadDuty" : "other";
          out.put(group + "#" + t.getFileName(), ticks * 10_000_000L);
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  /**
   * CPU time in ns: each anvil with its descendants ({@code l1Anvil}, {@code l2Anvil}; -1 when the
   * system does not tell), and all cores' busy and idle time ({@code allCoresBusy}, {@code
   * allCoresIdle}, from the first line of {@code /proc/stat}; absent where there is none).
   */
  private static Map<String, Long> machineTimes(SquadNet net) {
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("l1Anvil", treeCpu(net.l1.processHandle()));
    out.put("l2Anvil", treeCpu(net.l2.processHandle()));
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal ...: in clock ticks (USER_HZ, 100/s)
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      long busy = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        busy += i == 4 || i == 5 ? 0 : Long.parseLong(f[i]);
      }
      out.put("allCoresBusy", busy * 10_000_000L);
      // of which stolen by the hypervisor (a virtual machine's cores that ran something else)
      out.put("allCoresSteal", f.length > 8 ? Long.parseLong(f[8]) * 10_000_000L : 0L);
      out.put("allCoresIdle", idle * 10_000_000L);
    } catch (IOException | RuntimeException e) {
      // not Linux: the anvils' share is still reported
    }
    return out;
  }

  private static long treeCpu(ProcessHandle root) {
    long sum = 0;
    List<ProcessHandle> all = new ArrayList<>();
    all.add(root);
    root.descendants().forEach(all::add);
    for (ProcessHandle h : all) {
      java.util.Optional<java.time.Duration> d = h.info().totalCpuDuration();
      if (d.isEmpty()) {
        return -1;
      }
      sum += d.get().toNanos();
    }
    return sum;
  }

  /**
   * What each key of {@link #cpuTimes} spent between two snapshots, threads summed by group. A
   * thread is diffed against itself (0 if it started meanwhile); one that ended meanwhile is left
   * out rather than subtracted from its group.
   */
  private static Map<String, Long> cpuByGroup(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Map.Entry<String, Long> e : after.entrySet()) {
      String key = e.getKey();
      int hash = key.indexOf('#');
      out.merge(
          hash < 0 ? key : key.substring(0, hash),
          e.getValue() - before.getOrDefault(key, 0L),
          Long::sum);
    }
    return out;
  }

  /** The node's {@code squad_preconfirm_seconds}: sum in microseconds, count. */
  private static long[] serverTimes(HttpClient http, String apiUrl) throws Exception {
    String metrics =
        http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(apiUrl + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return new long[] {
      Math.round(metric(metrics, "_preconfirm_seconds_sum") * 1e6),
      Math.round(metric(metrics, "_preconfirm_seconds_count"))
    };
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

  /**
   * The benchmark's client: one keep-alive HTTP/1.1 connection, one request at a time, the request
   * written in one piece and the answer read by its Content-Length (or its chunks). A wallet runs
   * on another machine; on this one, {@code java.net.http} cost about 250 µs of CPU per call, a
   * sixth of the machine's busy time, which this client does not take from the node.
   */
  static final class PlainHttp implements AutoCloseable {
    private final java.net.Socket socket;
    private final java.io.InputStream in;
    private final java.io.OutputStream out;
    private final String head;

    PlainHttp(java.net.URI uri) throws IOException {
      socket = new java.net.Socket(uri.getHost(), uri.getPort());
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(60_000);
      in = new java.io.BufferedInputStream(socket.getInputStream(), 16_384);
      out = socket.getOutputStream();
      head =
          "POST "
              + uri.getRawPath()
              + " HTTP/1.1\r\nHost: "
              + uri.getHost()
              + ":"
              + uri.getPort()
              + "\r\nContent-Type: application/json\r\nContent-Length: ";
    }

    /** POSTs {@code body}; the answer's body (any status). */
    String post(String body) throws IOException {
      byte[] b = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] h =
          (head + b.length + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      byte[] req = Arrays.copyOf(h, h.length + b.length);
      System.arraycopy(b, 0, req, h.length, b.length);
      out.write(req);
      out.flush();
      String status = line();
      if (!status.startsWith("HTTP/1.1 ")) {
        throw new IOException("not an HTTP/1.1 answer: " + status);
      }
      long length = -1;
      boolean chunked = false;
      for (String l = line(); !l.isEmpty(); l = line()) {
        int colon = l.indexOf(':');
        String name = colon < 0 ? l : l.substring(0, colon).trim();
        String value = colon < 0 ? "" : l.substring(colon + 1).trim();
        if (name.equalsIgnoreCase("Content-Length")) {
          length = Long.parseLong(value);
        } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
          chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
        }
      }
      java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
      if (chunked) {
        for (long n = Long.parseLong(line().split(";")[0].trim(), 16);
            n > 0;
            n = Long.parseLong(line().split(";")[0].trim(), 16)) {
          got.write(in.readNBytes((int) n));
          line();
        }
        while (!line().isEmpty()) {
          // trailers
        }
      } else if (length >= 0) {
        got.write(in.readNBytes((int) length));
      } else {
        throw new IOException("an answer without a length on a kept-alive connection");
      }
      return got.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private String line() throws IOException {
      StringBuilder sb = new StringBuilder();
      while (true) {
        int c = in.read();
        if (c < 0) {
          throw new IOException("connection closed");
        }
        if (c == '\n') {
          int n = sb.length();
          return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
        }
        sb.append((char) c);
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
