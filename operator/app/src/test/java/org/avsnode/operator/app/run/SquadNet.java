package org.avsnode.operator.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.contracts.bindings.AllocationManager;
import org.avsnode.contracts.bindings.DelegationManager;
import org.avsnode.contracts.bindings.StrategyManager;
import org.avsnode.contracts.bindings.TestToken;
import org.avsnode.contracts.deploy.Chain;
import org.avsnode.contracts.deploy.Deployer;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.contracts.deploy.DeploymentJson;
import org.avsnode.contracts.deploy.SquadDeployer;
import org.avsnode.operator.app.devnet.Ports;
import org.avsnode.operator.http.LogLevelControl;
import org.avsnode.operator.keys.OperatorKeyFiles;
import org.avsnode.operator.node.NodeRuntime;
import org.avsnode.operator.node.NodeSettings;
import org.avsnode.operator.registration.RegistrationData;
import org.avsnode.operator.spi.DutyObservers;
import org.avsnode.squad.SquadDuty;
import org.avsnode.toolchain.AnvilProcess;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.ContractGasProvider;
import org.web3j.utils.Numeric;

/**
 * A SQUAD network for tests and benchmarks: a real L1 (anvil, automine) with the restaking
 * contracts and a rollup's SQUAD contracts, a real L2 (anvil with automine off and FIFO ordering)
 * that only the slot leaders mine, and {@code operators} registered operators, each a node built by
 * {@link RunComponent} (the wiring of {@code operator run}) with the {@code squad} duty and every
 * other operator as a peer. Slot 0 starts 12 s after the contracts are deployed. Closing it stops
 * every node and both anvils.
 */
final class SquadNet implements AutoCloseable {
  static final long L1_CHAIN = 31337;
  static final long L2_CHAIN = 42070;
  static final long ROLLUP = 7;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final BigInteger WAD = BigInteger.TEN.pow(18);

  final AnvilProcess l1;
  final AnvilProcess l2;
  final HttpService l1Http;
  final HttpService l2Http;
  final Web3j w1;
  final Web3j w2;
  final List<NodeRuntime> nodes = new ArrayList<>();

  /** With a MACH section: a node that runs MACH alone, observed as node {@code nodes.size()}. */
  NodeRuntime machOnly;

  final Map<String, BlsSecretKey> blsKeys = new HashMap<>();
  final List<Credentials> ops = new ArrayList<>();
  Credentials deployer;
  Deployment dep;
  ContractGasProvider gas;
  long genesis;
  SquadDeployer.Squad squad;

  private SquadNet(AnvilProcess l1, AnvilProcess l2) {
    this.l1 = l1;
    this.l2 = l2;
    this.l1Http = new HttpService(l1.rpcUrl());
    this.l2Http = new HttpService(l2.rpcUrl());
    this.w1 = Web3j.build(l1Http);
    this.w2 = Web3j.build(l2Http);
  }

  /**
   * @param extraSection more keys of every node's {@code squad} section
   * @param l2Args more anvil arguments for the L2 (e.g. a larger block gas limit)
   */
  static SquadNet start(
      Path dir,
      int operators,
      long slotSeconds,
      long dueAfter,
      Map<String, String> extraSection,
      List<String> l2Args)
      throws Exception {
    return start(dir, operators, slotSeconds, 2, 2, dueAfter, extraSection, l2Args);
  }

  /**
   * @param backups ranked backups per slot
   * @param graceSeconds each rank's window to commit a slot
   */
  static SquadNet start(
      Path dir,
      int operators,
      long slotSeconds,
      int backups,
      long graceSeconds,
      long dueAfter,
      Map<String, String> extraSection,
      List<String> l2Args)
      throws Exception {
    return start(
        dir,
        operators,
        slotSeconds,
        backups,
        graceSeconds,
        dueAfter,
        60,
        i -> DutyObservers.none(),
        extraSection,
        null,
        l2Args);
  }

  /**
   * @param escapeAfter seconds a due forced item waits before the escape hatch opens
   * @param observers what node {@code i} (of {@link #nodes}) is built with (e.g. injected {@code
   *     SquadFaults})
   * @param machSection when not null, every node runs the {@code mach} duty too, following the L2
   *     node, with these keys added to its section (the contracts come from the deployment; no
   *     aggregator: what each node signs is seen through a {@code MachEvents} observer)
   */
  static SquadNet start(
      Path dir,
      int operators,
      long slotSeconds,
      int backups,
      long graceSeconds,
      long dueAfter,
      long escapeAfter,
      java.util.function.IntFunction<DutyObservers> observers,
      Map<String, String> extraSection,
      Map<String, String> machSection,
      List<String> l2Args)
      throws Exception {
    // the block 2 below the head is finalized (anvil: 2 × slots in an epoch), so that SQUAD's
    // final L2 block (what VITAL waits for) moves within a test
    AnvilProcess l1 =
        AnvilProcess.builder()
            .chainId(L1_CHAIN)
            .accounts(1)
            .arg("--block-base-fee-per-gas")
            .arg("0")
            .arg("--slots-in-an-epoch")
            .arg("1")
            .start();
    AnvilProcess l2 = null;
    SquadNet net = null;
    try {
      AnvilProcess.Builder b =
          AnvilProcess.builder()
              .chainId(L2_CHAIN)
              .accounts(1)
              .arg("--no-mining")
              .arg("--order")
              .arg("fifo");
      for (String a : l2Args) {
        b.arg(a);
      }
      l2 = b.start();
      net = new SquadNet(l1, l2);
      net.setUp(
          dir,
          operators,
          slotSeconds,
          backups,
          graceSeconds,
          dueAfter,
          escapeAfter,
          observers,
          extraSection,
          machSection);
      return net;
    } catch (Exception | AssertionError e) {
      if (net != null) {
        net.close();
      } else {
        if (l2 != null) {
          l2.close();
        }
        l1.close();
      }
      throw e;
    }
  }

  private void setUp(
      Path dir,
      int operators,
      long slotSeconds,
      int backups,
      long graceSeconds,
      long dueAfter,
      long escapeAfter,
      java.util.function.IntFunction<DutyObservers> observers,
      Map<String, String> extraSection,
      Map<String, String> machSection)
      throws Exception {
    deployer = funded(l1Http);
    dep = Deployer.deploy(w1, deployer, Deployer.Config.devnet().withEpochLength(4));
    Path deploymentFile = dir.resolve("deployment.json");
    DeploymentJson.write(dep, deploymentFile);
    gas = Chain.gasProvider(w1, Chain.DEFAULT_GAS_LIMIT);
    for (int i = 0; i < operators; i++) {
      Credentials op = funded(l1Http);
      BlsSecretKey sk = BlsSecretKey.random(RANDOM);
      register(w1, dep, deployer, op, sk, gas);
      ops.add(op);
      blsKeys.put(op.getAddress().toLowerCase(Locale.ROOT), sk);
    }
    mineRegistryEpoch(w1, l1Http, dep.epochLength());
    byte[] l2Genesis =
        Numeric.hexStringToByteArray(
            w2.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)
                .send()
                .getBlock()
                .getHash());
    genesis = System.currentTimeMillis() / 1000 + 12;
    squad =
        SquadDeployer.deploy(
            w1,
            deployer,
            dep,
            new SquadDeployer.Params(
                genesis,
                slotSeconds,
                32,
                backups,
                graceSeconds,
                dueAfter,
                escapeAfter,
                BigInteger.ZERO,
                ROLLUP,
                l2Genesis,
                3));
    int[] ports = new int[operators];
    StringBuilder peers = new StringBuilder();
    for (int i = 0; i < operators; i++) {
      ports[i] = Ports.freePort(); // bound later by the node
      peers
          .append(i == 0 ? "" : ",")
          .append(ops.get(i).getAddress().toLowerCase(Locale.ROOT))
          .append("=http://127.0.0.1:")
          .append(ports[i]);
    }
    for (int i = 0; i < operators; i++) {
      Credentials op = ops.get(i);
      OperatorKeyFiles keys =
          OperatorKeyFiles.writeLight(
              dir.resolve("keys" + i),
              blsKeys.get(op.getAddress().toLowerCase(Locale.ROOT)),
              op.getEcKeyPair(),
              "squad-op" + i,
              RANDOM);
      Map<String, String> section = new LinkedHashMap<>();
      section.put("rollup-id", Long.toString(ROLLUP));
      section.put("l2-rpc-url", l2.rpcUrl());
      section.put("schedule", squad.schedule());
      section.put("inbox", squad.inbox());
      section.put("queue", squad.queue());
      section.put("peers", peers.toString());
      // the operators of a net share one L2 node: a leader's pool is everyone's
      section.put("l2-feed", Boolean.toString(operators == 1));
      section.putAll(extraSection);
      NodeSettings.Builder builder =
          nodeSettings(dir.resolve("data" + i), "squad-op" + i, ports[i], keys, deploymentFile)
              .duties(
                  machSection == null
                      ? List.of(SquadDuty.ID)
                      : List.of(org.avsnode.mach.MachDuty.ID, SquadDuty.ID))
              .dutyConfig(SquadDuty.ID, section);
      if (machSection != null) {
        builder.dutyConfig(org.avsnode.mach.MachDuty.ID, machConfig(machSection));
      }
      NodeSettings settings = builder.build();
      NodeRuntime node =
          RunComponent.create(settings, LogLevelControl.UNSUPPORTED, observers.apply(i)).runtime();
      nodes.add(node);
      node.start();
    }
    if (machSection != null) {
      // a node that runs MACH alone (no squad duty and no sequencer-inboxes): it finds the
      // rollup's inbox at the slashing coordinator and learns from it which blocks are committed;
      // its key is not registered, so its signatures do not count
      Map<String, String> mach = new LinkedHashMap<>(machSection);
      OperatorKeyFiles keys =
          OperatorKeyFiles.writeLight(
              dir.resolve("keys-mach-only"),
              BlsSecretKey.random(RANDOM),
              org.web3j.crypto.Keys.createEcKeyPair(),
              "mach-only",
              RANDOM);
      NodeSettings settings =
          nodeSettings(
                  dir.resolve("data-mach-only"),
                  "mach-only",
                  Ports.freePort(),
                  keys,
                  deploymentFile)
              .duties(List.of(org.avsnode.mach.MachDuty.ID))
              .dutyConfig(org.avsnode.mach.MachDuty.ID, machConfig(mach))
              .build();
      machOnly =
          RunComponent.create(settings, LogLevelControl.UNSUPPORTED, observers.apply(operators))
              .runtime();
      machOnly.start();
    }
  }

  /** What every node of this network shares: its L1, the deployment, a key pair, its port. */
  private NodeSettings.Builder nodeSettings(
      Path data, String name, int port, OperatorKeyFiles keys, Path deploymentFile) {
    return NodeSettings.builder(data)
        .nodeName(name)
        .httpPort(port)
        .metricsEnabled(true)
        .l1RpcUrl(URI.create(l1.rpcUrl()))
        .deploymentFile(deploymentFile)
        .confirmations(0)
        .l1PollInterval(Duration.ofMillis(250))
        .blsKey(keys.bls().keystoreFile(), keys.bls().passwordFile())
        .ecdsaKey(keys.ecdsa().keystoreFile(), keys.ecdsa().passwordFile());
  }

  /** A {@code mach} section following the L2 node, with {@code extra} keys added. */
  private Map<String, String> machConfig(Map<String, String> extra) {
    Map<String, String> mach = new LinkedHashMap<>();
    mach.put("rollups", ROLLUP + "=" + l2.rpcUrl());
    mach.put("poll-interval", "100ms");
    mach.putAll(extra);
    return mach;
  }

  /** A transaction manager for reading the L1 contracts (calls from the deployer's address). */
  org.web3j.tx.ReadonlyTransactionManager readOnly() {
    return new org.web3j.tx.ReadonlyTransactionManager(w1, deployer.getAddress());
  }

  /** The inbox's {@code SlotCommitted} logs on L1 now. */
  List<org.web3j.protocol.core.methods.response.Log> slotCommittedLogs() throws IOException {
    org.web3j.protocol.core.methods.request.EthFilter filter =
        new org.web3j.protocol.core.methods.request.EthFilter(
            org.web3j.protocol.core.DefaultBlockParameter.valueOf(BigInteger.ZERO),
            DefaultBlockParameterName.LATEST,
            squad.inbox());
    filter.addSingleTopic(
        org.web3j.abi.EventEncoder.encode(
            org.avsnode.contracts.bindings.SequencerInbox.SLOTCOMMITTED_EVENT));
    List<org.web3j.protocol.core.methods.response.Log> out = new ArrayList<>();
    for (var l : w1.ethGetLogs(filter).send().getLogs()) {
      out.add((org.web3j.protocol.core.methods.response.Log) l.get());
    }
    return out;
  }

  /** The hashes (lower case) of the blocks on the L2 node's head chain, with their numbers. */
  Map<String, Long> l2Chain() throws IOException {
    Map<String, Long> out = new HashMap<>();
    long head = w2.ethBlockNumber().send().getBlockNumber().longValueExact();
    for (long n = head; n >= 0; n--) {
      String hash =
          w2.ethGetBlockByNumber(
                  org.web3j.protocol.core.DefaultBlockParameter.valueOf(BigInteger.valueOf(n)),
                  false)
              .send()
              .getBlock()
              .getHash();
      out.put(hash.toLowerCase(Locale.ROOT), n);
    }
    return out;
  }

  /** A condition a test waits for. */
  interface Check {
    boolean holds() throws Exception;
  }

  /** Waits until {@code c} holds, failing with {@code what} after {@code seconds}. */
  static void awaitTrue(Check c, int seconds, String what) throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!c.holds()) {
      assertThat(System.nanoTime()).as("within %d s: %s", seconds, what).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  /** Waits for slot 0. */
  void awaitGenesis() throws InterruptedException {
    while (System.currentTimeMillis() / 1000 < genesis) {
      Thread.sleep(100);
    }
  }

  /** A new account with 1,000 ETH on the L2. */
  /** The forced-inclusion queue, sending as the deployer. */
  org.avsnode.contracts.bindings.ForcedInclusionQueue forcedQueue() {
    return org.avsnode.contracts.bindings.ForcedInclusionQueue.load(
        squad.queue(), w1, Chain.transactionManager(w1, deployer, L1_CHAIN, 20), gas);
  }

  /** Queues a signed L2 transaction (hex) on L1's forced-inclusion queue, with no fee. */
  void enqueueForced(String rawTx) throws Exception {
    if (!forcedQueue()
        .enqueue(Numeric.hexStringToByteArray(rawTx), BigInteger.ZERO)
        .send()
        .isStatusOK()) {
      throw new AssertionError("enqueue on the forced-inclusion queue failed");
    }
  }

  Credentials l2Account() throws Exception {
    Credentials c = Credentials.create(Keys.createEcKeyPair(RANDOM));
    rpc(l2Http, "anvil_setBalance", List.of(c.getAddress(), "0x3635c9adc5dea00000"));
    return c;
  }

  /** POSTs a JSON body (a JSON-RPC request or batch, a gossip post) and returns the answer. */
  static java.net.http.HttpResponse<String> postJson(
      java.net.http.HttpClient http, String url, String body) throws Exception {
    return http.send(
        java.net.http.HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
            .build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  /** A JSON-RPC call to {@code endpoint}; the whole answer (result or error). */
  static com.fasterxml.jackson.databind.JsonNode call(
      java.net.http.HttpClient http, String endpoint, String method, List<?> params)
      throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    String body =
        json.writeValueAsString(
            Map.of("jsonrpc", "2.0", "id", 1, "method", method, "params", params));
    return json.readTree(postJson(http, endpoint, body).body());
  }

  /** The value of the node's metric line that starts with {@code prefix} (0 when it has none). */
  static double metric(java.net.http.HttpClient http, NodeRuntime n, String prefix)
      throws Exception {
    String metrics =
        http.send(
                java.net.http.HttpRequest.newBuilder(URI.create(n.apiUrl() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
    for (String line : metrics.split("\n")) {
      if (line.startsWith(prefix)) {
        return Double.parseDouble(line.substring(prefix.length()).trim());
      }
    }
    return 0;
  }

  @Override
  public void close() {
    for (NodeRuntime n : nodes) {
      n.close();
    }
    if (machOnly != null) {
      machOnly.close();
    }
    w1.shutdown();
    w2.shutdown();
    l2.close();
    l1.close();
  }

  static Credentials funded(HttpService l1) throws Exception {
    Credentials c = Credentials.create(Keys.createEcKeyPair(RANDOM));
    rpc(l1, "anvil_setBalance", List.of(c.getAddress(), "0x3635c9adc5dea00000"));
    return c;
  }

  static void rpc(HttpService s, String method, List<?> params) throws IOException {
    var r =
        new org.web3j.protocol.core.Request<>(method, params, s, RunMachIT.VoidResponse.class)
            .send();
    assertThat(r.hasError()).as(method).isFalse();
  }

  /** Registers {@code op} with its own stake and BLS key in the deployment's operator set. */
  static void register(
      Web3j w,
      Deployment dep,
      Credentials deployer,
      Credentials op,
      BlsSecretKey sk,
      ContractGasProvider gas)
      throws Exception {
    Deployment.Contracts c = dep.contracts();
    TransactionManager otm = Chain.transactionManager(w, op, L1_CHAIN, 20);
    TransactionManager dtm = Chain.transactionManager(w, deployer, L1_CHAIN, 20);
    BigInteger stake = WAD.multiply(BigInteger.valueOf(100));
    assertThat(
            DelegationManager.load(c.delegationManager(), w, otm, gas)
                .registerAsOperator(
                    "0x0000000000000000000000000000000000000000", BigInteger.ZERO, "uri")
                .send()
                .isStatusOK())
        .isTrue();
    TestToken.load(c.testToken(), w, dtm, gas).mint(op.getAddress(), stake).send();
    TestToken.load(c.testToken(), w, otm, gas).approve(c.strategyManager(), stake).send();
    StrategyManager.load(c.strategyManager(), w, otm, gas)
        .depositIntoStrategy(c.strategy(), c.testToken(), stake)
        .send();
    AllocationManager am = AllocationManager.load(c.allocationManager(), w, otm, gas);
    AllocationManager.OperatorSet set =
        new AllocationManager.OperatorSet(c.avsRegistry(), BigInteger.valueOf(dep.operatorSetId()));
    am.modifyAllocations(
            op.getAddress(),
            List.of(new AllocationManager.AllocateParams(set, List.of(c.strategy()), List.of(WAD))))
        .send();
    assertThat(
            am.registerForOperatorSets(
                    op.getAddress(),
                    new AllocationManager.RegisterParams(
                        c.avsRegistry(),
                        List.of(BigInteger.valueOf(dep.operatorSetId())),
                        RegistrationData.of(sk).encode()))
                .send()
                .isStatusOK())
        .isTrue();
  }

  static void mineRegistryEpoch(Web3j w, HttpService s, long epochLength) throws IOException {
    long n = w.ethBlockNumber().send().getBlockNumber().longValueExact();
    long next = (n / epochLength + 1) * epochLength;
    rpc(s, "anvil_mine", List.of(Numeric.toHexStringWithPrefix(BigInteger.valueOf(next - n + 1))));
  }

  /**
   * An EIP-1559 transfer of 1 wei to {@code to} signed by {@code user}: gas limit 21,000, tip 1
   * gwei, fee cap 20 gwei; the signed bytes as hex.
   */
  static String transfer(Credentials user, BigInteger nonce, long chainId, String to) {
    org.web3j.crypto.RawTransaction t =
        org.web3j.crypto.RawTransaction.createTransaction(
            chainId,
            nonce,
            BigInteger.valueOf(21_000),
            to,
            BigInteger.ONE,
            "0x",
            BigInteger.valueOf(1_000_000_000L),
            BigInteger.valueOf(20_000_000_000L));
    return Numeric.toHexString(org.web3j.crypto.TransactionEncoder.signMessage(t, chainId, user));
  }

  /** Deletes a directory and everything in it, quietly (a benchmark's data when it ends). */
  static void deleteTree(Path dir) {
    try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      // left for the system's temporary-file cleanup
    }
  }
}
