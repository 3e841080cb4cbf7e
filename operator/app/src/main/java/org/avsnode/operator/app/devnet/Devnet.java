package org.avsnode.operator.app.devnet;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.certificate.OperatorSetSnapshot;
import org.avsnode.contracts.bindings.DelegationManager;
import org.avsnode.contracts.bindings.OutputOracle;
import org.avsnode.contracts.bindings.SlashingCoordinator;
import org.avsnode.contracts.bindings.StrategyManager;
import org.avsnode.contracts.bindings.TestToken;
import org.avsnode.contracts.deploy.Chain;
import org.avsnode.contracts.deploy.Deployer;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.contracts.deploy.DeploymentJson;
import org.avsnode.mach.MachDuty;
import org.avsnode.mach.MachEvents;
import org.avsnode.mach.chain.MachContracts;
import org.avsnode.operator.app.Main;
import org.avsnode.operator.app.OperatorCommand;
import org.avsnode.operator.app.UserException;
import org.avsnode.operator.app.run.RunCommand;
import org.avsnode.operator.app.run.RunComponent;
import org.avsnode.operator.chain.L1Client;
import org.avsnode.operator.chain.RetryPolicy;
import org.avsnode.operator.chain.SenderConfig;
import org.avsnode.operator.chain.TransactionSender;
import org.avsnode.operator.http.LogLevelControl;
import org.avsnode.operator.keys.OperatorKeyFiles;
import org.avsnode.operator.l2.L2Block;
import org.avsnode.operator.metrics.NoOpMetricsSystem;
import org.avsnode.operator.metrics.NodeMetrics;
import org.avsnode.operator.node.NodeRuntime;
import org.avsnode.operator.node.NodeSettings;
import org.avsnode.operator.quorum.SignedMessage;
import org.avsnode.operator.registration.OperatorRegistrar;
import org.avsnode.operator.registration.RegistrationData;
import org.avsnode.operator.registration.RestakingContracts;
import org.avsnode.operator.registry.StakeView;
import org.avsnode.operator.spi.DutyObservers;
import org.avsnode.toolchain.AnvilProcess;
import org.avsnode.vital.VitalDuty;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.protocol.Web3j;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.ContractGasProvider;

/**
 * The devnet: L1 and L2 anvils, every contract, stakers and N operators with delegated stake and
 * BLS keys, registered through the node's registration code; a rollup proposer; and the operators
 * running MACH and VITAL, each in its own {@link NodeRuntime} (own keys, own slashing-protection
 * database under the data directory, own HTTP port) as threads of this JVM. {@link #close()} stops
 * every thread and process it started.
 */
final class Devnet implements AutoCloseable {
  static final long L1_CHAIN_ID = 31337;
  static final long L2_CHAIN_ID = 42069;
  static final BigInteger WAD = BigInteger.TEN.pow(18);
  static final BigInteger STAKE = BigInteger.valueOf(32).multiply(WAD);
  private static final String ZERO = "0x0000000000000000000000000000000000000000";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final DevnetOptions options;
  private final Progress progress;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<DevnetOperator> operators = new ArrayList<>();
  private final ScheduledExecutorService faults =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "devnet-faults");
            t.setDaemon(true);
            return t;
          });
  private AnvilProcess l1Anvil;
  private AnvilProcess l2Anvil;
  private L1Client l1;
  private Credentials deployer;
  private Deployment deployment;
  private Eip712Domain domain;
  private MachContracts contracts;
  private L2Driver l2Driver;
  private Equivocator equivocator;
  private DevnetOperator equivocatorOp;
  private Contradictor contradictor;
  private final VitalBench vitalBench = new VitalBench(java.time.Clock.systemUTC());
  private DevnetOperator contradictorOp;
  private long startNanos;
  private long startEpoch;
  private List<URI> aggregatorUrls = List.of();
  private final Map<Integer, FaultProxy> l1Proxies = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<Integer, FaultProxy> l2Proxies = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Every operator process started, as handles: a handle remembers its process's start time, so a
   * pid the kernel has since given to another process does not count as this one still running.
   */
  private final List<ProcessHandle> started =
      java.util.Collections.synchronizedList(new ArrayList<>());

  private ChaosWitness witness;
  private Chaos chaos;
  private Chaos.Report chaosReport;
  private L1Client l2Reader;
  private DevnetStatusServer statusServer;
  private BigInteger equivocatorStakeBefore;

  Devnet(DevnetOptions options, Progress progress) {
    this.options = options;
    this.progress = progress;
  }

  /** SQUAD sequences the L2: slots of 4 s, one backup, a 2 s window per rank. */
  static final long SQUAD_SLOT_SECONDS = 4;

  /** Slots per schedule epoch: epochs 0 and 1 (fixed at deployment) have predictable seeds. */
  static final long SQUAD_SLOTS_PER_EPOCH = 32;

  static final int SQUAD_BACKUPS = 1;
  static final long SQUAD_GRACE_SECONDS = 2;
  static final long SQUAD_DUE_AFTER_SECONDS = 8;

  /** Whether SQUAD sequences the L2 (the command's {@code --squad}). */
  private boolean squad;

  /** The validity rollup beside the optimistic one ({@code --zk}), and its faults; null: none. */
  private ZkRollup.Faults zkFaults;

  private ZkRollup zkRollup;

  /** The operator whose raw key plants the wrong verdict on the ZK rollup (not checking it). */
  private DevnetOperator zkPlanter;

  /**
   * Runs the devnet's ZK rollup ({@link ZkRollup}) beside the optimistic one: every operator's
   * VITAL checks its commitments' proofs, with these faults.
   */
  Devnet withZk(ZkRollup.Faults faults) {
    this.zkFaults = faults;
    return this;
  }

  /** The ZK rollup, when it runs. */
  java.util.Optional<ZkRollup> zkRollup() {
    return java.util.Optional.ofNullable(zkRollup);
  }

  java.util.Optional<DevnetOperator> zkPlanter() {
    return java.util.Optional.ofNullable(zkPlanter);
  }

  private org.avsnode.contracts.deploy.SquadDeployer.Squad squadContracts;
  private SquadWallets squadWallets;
  private long squadLogFrom = -1;
  private long squadGenesis;

  /**
   * SQUAD sequences the L2: its anvil runs with automine off and FIFO order, every operator runs
   * the {@code squad} duty next to MACH and VITAL, and the devnet's users send their transactions
   * to the operators' JSON-RPC endpoints.
   */
  Devnet withSquad(boolean on) {
    this.squad = on;
    return this;
  }

  boolean squad() {
    return squad;
  }

  /** The {@code --break-preconf} fault: once, a leader's key preconfirms what its block lacks. */
  private boolean breakPreconf;

  /** The planted broken preconfirmation: operator, slot, transaction hash; null before. */
  record BrokenPreconf(DevnetOperator operator, long slot, byte[] txHash) {}

  private volatile BrokenPreconf brokenPreconf;
  private volatile boolean brokenPreconfSlashed;

  /**
   * The {@code --break-preconf} fault (with {@code --squad}): once, the leader of the current slot
   * signs a preconfirmation, with its raw key, for a transaction that it never receives, and it is
   * gossiped to the other operators, as a leader that promises and then leaves the transaction out
   * would. The followers refuse the slot's block and submit the evidence; it is slashed once.
   */
  Devnet withBreakPreconf(boolean on) {
    this.breakPreconf = on;
    return this;
  }

  /** The planted broken preconfirmation, once made. */
  java.util.Optional<BrokenPreconf> brokenPreconf() {
    return java.util.Optional.ofNullable(brokenPreconf);
  }

  boolean brokenPreconfSlashed() {
    return brokenPreconfSlashed;
  }

  /** The {@code --censor} fault: the first operator leaves due forced items out of its blocks. */
  private boolean censor;

  /** Forced transactions the devnet queued on L1: hash → when (millis), until included. */
  private final Map<String, Long> forcedPending = new java.util.concurrent.ConcurrentHashMap<>();

  private long lastForcedAt;

  /** The funded L2 accounts that send the forced transactions, one each. */
  private ForcedSenders forcedSenders;

  /**
   * The {@code --censor} fault (with {@code --squad}): the first operator's sequencer leaves every
   * due forced-inclusion item out of its blocks, so the inbox refuses its commitments and the
   * slot's backup includes the items (or, if every leader censored, the escape hatch).
   */
  Devnet withCensor(boolean on) {
    this.censor = on;
    return this;
  }

  private org.avsnode.squad.SquadFaults squadFaults(DevnetOperator op) {
    if (!censor || op.index != 0) {
      return org.avsnode.squad.SquadFaults.NONE;
    }
    return new org.avsnode.squad.SquadFaults() {
      @Override
      public boolean censorForced(long slot) {
        return true;
      }
    };
  }

  /**
   * The devnet's forced-inclusion traffic (with {@code --squad}): every 20 s a user queues a
   * transfer on L1 through the {@code ForcedInclusionQueue}; one line when it is queued and one
   * when it is in an L2 block.
   */
  private void forcedTraffic() {
    try {
      for (Map.Entry<String, Long> f : forcedPending.entrySet()) {
        var receipt = squadL2().ethGetTransactionReceipt(f.getKey()).send().getTransactionReceipt();
        if (receipt.isPresent()) {
          forcedPending.remove(f.getKey());
          progress.forcedIncluded.incrementAndGet();
          progress.forcedDelaysMillis.add(System.currentTimeMillis() - f.getValue());
          say(
              "forced    tx %s included in L2 #%s, %.1f s after it was queued on L1",
              Progress.shortHex(f.getKey()),
              receipt.get().getBlockNumber(),
              (System.currentTimeMillis() - f.getValue()) / 1000.0);
        }
      }
      long now = System.currentTimeMillis();
      if (progress.squadSlots.size() < 2 || now - lastForcedAt < 20_000) {
        return;
      }
      lastForcedAt = now;
      Credentials user = forcedSenders.next();
      if (user == null) {
        // the pool is used up (after about 85 minutes): a fresh account, funded now. A balance set
        // this way is lost when a sequencer drops an L2 block mined before it, and the item is then
        // refused for its funds
        user = Credentials.create(org.web3j.crypto.Keys.createEcKeyPair(RANDOM));
        new org.web3j.protocol.core.Request<>(
                "anvil_setBalance",
                List.of(user.getAddress(), "0xde0b6b3a7640000"),
                new org.web3j.protocol.http.HttpService(l2Anvil.rpcUrl()),
                L2Driver.VoidResponse.class)
            .send();
      }
      byte[] raw =
          org.web3j.crypto.TransactionEncoder.signMessage(
              org.web3j.crypto.RawTransaction.createTransaction(
                  L2_CHAIN_ID,
                  BigInteger.ZERO,
                  BigInteger.valueOf(21_000),
                  user.getAddress(),
                  BigInteger.ONE,
                  "0x",
                  BigInteger.valueOf(1_000_000_000L),
                  BigInteger.valueOf(50_000_000_000L)),
              L2_CHAIN_ID,
              user);
      var r =
          org.avsnode.contracts.bindings.ForcedInclusionQueue.load(
                  squadContracts.queue(), l1.web3j(), tm(deployer), gas())
              .enqueue(raw, BigInteger.ZERO)
              .send();
      if (r.isStatusOK()) {
        String hash = org.web3j.utils.Numeric.toHexString(org.web3j.crypto.Hash.sha3(raw));
        forcedPending.put(hash, now);
        progress.forcedQueued.incrementAndGet();
        say(
            "forced    tx %s queued on L1 (ForcedInclusionQueue, gas %,d); due in %d s%s",
            Progress.shortHex(hash),
            r.getGasUsed(),
            SQUAD_DUE_AFTER_SECONDS,
            censor ? "  [op0 censors: its slots leave it out]" : "");
      }
    } catch (Exception e) {
      org.slf4j.LoggerFactory.getLogger(Devnet.class)
          .debug("devnet: forced transactions: {}", e.toString());
    }
  }

  /** The {@code --equivocate-slot} fault: once, a committer signs a second proposal. */
  private boolean equivocateSlot;

  /** The planted second proposal: operator and slot; null before. */
  record DoubleProposal(DevnetOperator operator, long slot) {}

  private volatile DoubleProposal doubleProposal;
  private volatile boolean doubleProposalSlashed;

  /** Each committed slot's commitment, as the inbox logged it. */
  private final Map<Long, org.avsnode.contracts.bindings.SequencerInbox.SlotCommittedEventResponse>
      squadCommitments = new java.util.concurrent.ConcurrentSkipListMap<>();

  /**
   * The {@code --equivocate-slot} fault (with {@code --squad}): once, the operator that committed a
   * recent slot signs, with its raw key, a second proposal for that slot naming another block, and
   * it is gossiped to the other operators, which hold the first one: they submit both, and it is
   * slashed once.
   */
  Devnet withEquivocateSlot(boolean on) {
    this.equivocateSlot = on;
    return this;
  }

  java.util.Optional<DoubleProposal> doubleProposal() {
    return java.util.Optional.ofNullable(doubleProposal);
  }

  boolean doubleProposalSlashed() {
    return doubleProposalSlashed;
  }

  /** Plants the second proposal once 4 slots are committed, for the latest one led online. */
  private void maybeEquivocateSlot() {
    if (doubleProposal != null || squadCommitments.size() < 4) {
      return;
    }
    try {
      var last =
          ((java.util.concurrent.ConcurrentSkipListMap<
                      Long,
                      org.avsnode.contracts.bindings.SequencerInbox.SlotCommittedEventResponse>)
                  squadCommitments)
              .lastEntry();
      var e = last.getValue();
      DevnetOperator op = null;
      for (DevnetOperator o : operators) {
        if (o.address().equalsIgnoreCase(e.committer) && o.index < firstOnlineEnd()) {
          op = o;
        }
      }
      if (op == null) {
        return;
      }
      long slot = last.getKey();
      byte[] otherBlock =
          org.web3j.crypto.Hash.sha3(
              org.web3j.utils.Numeric.hexStringToByteArray(
                  "0x65717569766f636174696f6e" // "equivocation"
                      + org.web3j.utils.Numeric.toHexStringNoPrefix(e.blockHash)));
      org.avsnode.bls.eip712.SlotProposal second =
          new org.avsnode.bls.eip712.SlotProposal(
              rollupId(), slot, e.parentHash, otherBlock, e.txListHash);
      org.avsnode.bls.BlsSignature sig = op.secretKey().sign(second.digest(domain));
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("rollupId", rollupId());
      item.put("slot", slot);
      item.put("parentHash", org.web3j.utils.Numeric.toHexString(e.parentHash));
      item.put("blockHash", org.web3j.utils.Numeric.toHexString(otherBlock));
      item.put("txListHash", org.web3j.utils.Numeric.toHexString(e.txListHash));
      item.put("operator", op.address().toLowerCase(java.util.Locale.ROOT));
      item.put("signature", sig.toHex());
      String body = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(item);
      postToOthers(op, "/squad/v1/proposals", body);
      doubleProposal = new DoubleProposal(op, slot);
      say(
          "fault     %s signs a second, different proposal for slot %d (--equivocate-slot)",
          op.name(), slot);
    } catch (Exception ex) {
      org.slf4j.LoggerFactory.getLogger(Devnet.class)
          .debug("devnet: --equivocate-slot: {}", ex.toString());
    }
  }

  /** Reports, once, that the planted double proposal was slashed on L1. */
  private void watchDoubleProposal() {
    DoubleProposal d = doubleProposal;
    if (d == null || doubleProposalSlashed) {
      return;
    }
    if (evidenceUsed(
        c ->
            c.squadDoubleProposalEvidenceKey(
                d.operator().address(),
                BigInteger.valueOf(rollupId()),
                BigInteger.valueOf(d.slot())))) {
      doubleProposalSlashed = true;
      say(
          "on-chain  %s SLASHED for two proposals for slot %d (evidence submitted by another"
              + " operator)",
          d.operator().name(), d.slot());
    }
  }

  /** POSTs a JSON body to every online operator but {@code except} (the faults' gossip). */
  private void postToOthers(DevnetOperator except, String path, String body) throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    for (DevnetOperator o : operators) {
      if (o == except || o.index >= firstOnlineEnd()) {
        continue;
      }
      http.send(
          java.net.http.HttpRequest.newBuilder(URI.create(o.apiUrl() + path))
              .header("Content-Type", "application/json")
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
              .build(),
          java.net.http.HttpResponse.BodyHandlers.discarding());
    }
  }

  /** Plants the broken preconfirmation once 3 slots are committed, early in a slot led online. */
  private void maybeBreakPreconf() {
    if (brokenPreconf != null || progress.squadSlots.size() < 3) {
      return;
    }
    try {
      org.avsnode.squad.schedule.SlotScheduleContract sc =
          org.avsnode.squad.schedule.SlotScheduleContract.load(
              l1.web3j(), squadContracts.schedule());
      var params = sc.parameters();
      long nowMillis = System.currentTimeMillis();
      long intoGenesis = nowMillis - params.genesisTime() * 1000;
      long slot = intoGenesis / (params.slotSeconds() * 1000);
      long intoSlot = intoGenesis % (params.slotSeconds() * 1000);
      if (intoSlot > params.slotSeconds() * 1000 / 2) {
        return; // too late in the slot: the followers should hold it before the commitment
      }
      var epoch = sc.epoch(params.epochOf(slot), params.backups());
      if (epoch.isEmpty()) {
        return;
      }
      int leader = epoch.get().schedule().leaderOf(slot);
      String address =
          org.avsnode.contracts.bindings.AvsRegistry.load(
                  deployment.contracts().avsRegistry(),
                  l1.web3j(),
                  new org.web3j.tx.ReadonlyTransactionManager(l1.web3j(), deployment.deployer()),
                  gas())
              .operatorAt(
                  BigInteger.valueOf(deployment.operatorSetId()), BigInteger.valueOf(leader))
              .send();
      DevnetOperator op = null;
      for (DevnetOperator o : operators) {
        if (o.address().equalsIgnoreCase(address) && o.index < firstOnlineEnd()) {
          op = o;
        }
      }
      if (op == null) {
        return; // an offline leader: wait for another slot
      }
      Credentials user = Credentials.create(org.web3j.crypto.Keys.createEcKeyPair(RANDOM));
      org.web3j.crypto.RawTransaction t =
          org.web3j.crypto.RawTransaction.createTransaction(
              L2_CHAIN_ID,
              BigInteger.ZERO,
              BigInteger.valueOf(21_000),
              user.getAddress(),
              BigInteger.ONE,
              "0x",
              BigInteger.valueOf(1_000_000_000L),
              BigInteger.valueOf(50_000_000_000L));
      byte[] raw = org.web3j.crypto.TransactionEncoder.signMessage(t, L2_CHAIN_ID, user);
      byte[] txHash = org.web3j.crypto.Hash.sha3(raw);
      org.avsnode.bls.BlsSignature sig =
          op.secretKey()
              .sign(
                  new org.avsnode.bls.eip712.Preconfirmation(rollupId(), slot, txHash)
                      .digest(domain));
      String item =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .writeValueAsString(
                  List.of(
                      Map.of(
                          "rollupId", rollupId(),
                          "slot", slot,
                          "txHash", org.web3j.utils.Numeric.toHexString(txHash),
                          "operator", op.address().toLowerCase(java.util.Locale.ROOT),
                          "signature", sig.toHex(),
                          "rawTx", org.web3j.utils.Numeric.toHexString(raw))));
      postToOthers(op, "/squad/v1/preconfirmations", item);
      brokenPreconf = new BrokenPreconf(op, slot, txHash);
      say(
          "fault     %s preconfirms %s for slot %d and leaves it out of its block"
              + " (--break-preconf)",
          op.name(), Progress.shortHex(txHash), slot);
    } catch (Exception e) {
      org.slf4j.LoggerFactory.getLogger(Devnet.class)
          .debug("devnet: --break-preconf: {}", e.toString());
    }
  }

  /** Reports, once, that the planted broken preconfirmation was slashed on L1. */
  private void watchBrokenPreconf() {
    BrokenPreconf b = brokenPreconf;
    if (b == null || brokenPreconfSlashed) {
      return;
    }
    if (evidenceUsed(
        c ->
            c.squadBrokenPreconfirmationEvidenceKey(
                b.operator().address(),
                BigInteger.valueOf(rollupId()),
                BigInteger.valueOf(b.slot()),
                b.txHash()))) {
      brokenPreconfSlashed = true;
      say(
          "on-chain  %s SLASHED for its broken preconfirmation of slot %d (evidence submitted by"
              + " a follower)",
          b.operator().name(), b.slot());
    }
  }

  /** The SQUAD contracts, when SQUAD sequences the L2. */
  java.util.Optional<org.avsnode.contracts.deploy.SquadDeployer.Squad> squadContracts() {
    return java.util.Optional.ofNullable(squadContracts);
  }

  /** The wallets sending through the operators' endpoints, when SQUAD sequences the L2. */
  java.util.Optional<SquadWallets> squadWallets() {
    return java.util.Optional.ofNullable(squadWallets);
  }

  // ---------------------------------------------------------------- start

  void start() throws Exception {
    startNanos = System.nanoTime();
    statusServer = new DevnetStatusServer(this::statusNodes);
    closeables.add(statusServer);
    say("devnet: status page %s (every operator, live; read-only)", statusServer.url());
    Path dir = options.dataDir();
    startOver(dir);
    Files.createDirectories(dir);
    say("devnet: data and logs in %s", dir);
    // L1 mines on every transaction while the devnet is set up, then on an interval
    // anvil reports the block 2 × slots-in-an-epoch below its head as finalized: here at least
    // PROPOSER_L1_DEPTH, deeper than any reorg the devnet makes (SQUAD's finality, which VITAL
    // waits for, and the proposer's agree)
    l1Anvil =
        AnvilProcess.builder()
            .chainId(L1_CHAIN_ID)
            .accounts(1)
            .arg("--block-base-fee-per-gas")
            .arg("0")
            .arg("--slots-in-an-epoch")
            .arg(Integer.toString((PROPOSER_L1_DEPTH + 1) / 2))
            .logFile(dir.resolve("l1-anvil.log"))
            .start();
    closeables.add(l1Anvil);
    AnvilProcess.Builder l2Builder =
        AnvilProcess.builder().chainId(L2_CHAIN_ID).logFile(dir.resolve("l2-anvil.log"));
    if (squad) {
      // only the slot leaders mine, in the order they preconfirmed; the accounts after the first
      // 10 send the forced transactions (see ForcedSenders)
      l2Builder
          .arg("--no-mining")
          .arg("--order")
          .arg("fifo")
          .accounts(ForcedSenders.FIRST + ForcedSenders.POOL);
    } else {
      l2Builder.blockTime(options.l2BlockTime());
    }
    l2Anvil = l2Builder.start();
    closeables.add(l2Anvil);
    if (squad) {
      forcedSenders = ForcedSenders.of(squadL2().ethAccounts().send().getAccounts());
    }
    say("devnet: L1 anvil  chain %d at %s (pid %d)", L1_CHAIN_ID, l1Anvil.rpcUrl(), l1Anvil.pid());
    say(
        "devnet: L2 anvil  chain %d at %s (pid %d), %s",
        L2_CHAIN_ID,
        l2Anvil.rpcUrl(),
        l2Anvil.pid(),
        squad
            ? "sequenced by SQUAD (automine off, FIFO): one block per "
                + SQUAD_SLOT_SECONDS
                + " s slot"
            : "block time " + options.l2BlockTime().toSeconds() + "s");
    l1 =
        L1Client.http(
            l1Anvil.rpcUrl(),
            Duration.ofSeconds(10),
            RetryPolicy.DEFAULT,
            new NodeMetrics(new NoOpMetricsSystem()));
    closeables.add(l1);
    deployer = newFundedAccount();
    deployment =
        Deployer.deploy(
            l1.web3j(),
            deployer,
            Deployer.Config.devnet()
                .withEpochLength(options.epochLength())
                .withThresholdBps(options.thresholdBps()));
    DeploymentJson.write(deployment, dir.resolve("deployment.json"));
    domain =
        Eip712Domain.avsNode(
            L1_CHAIN_ID, MachContracts.address(deployment.contracts().avsRegistry()));
    contracts =
        new MachContracts(
            l1,
            deployment.contracts().avsRegistry(),
            deployment.contracts().finalityOracle(),
            deployment.contracts().slashingCoordinator(),
            deployment.operatorSetId());
    say(
        "devnet: contracts deployed (registry %s, finality oracle %s, slashing coordinator %s);"
            + " deployment.json written",
        deployment.contracts().avsRegistry(),
        deployment.contracts().finalityOracle(),
        deployment.contracts().slashingCoordinator());
    createOperators(dir);
    registerOperators();
    publishOperatorTable();
    startEpoch = nextEpoch();
    OperatorSetSnapshot snapshot = contracts.operatorSetAt(startEpoch);
    long active =
        snapshot.operators().stream().filter(OperatorSetSnapshot.Operator::active).count();
    progress.operatorCount = snapshot.size();
    say(
        "devnet: %d operators registered with BLS keys (proof of possession checked on chain),"
            + " %d active at epoch %d, total stake %s",
        snapshot.size(), active, startEpoch, snapshot.totalStake());
    if (squad) {
      deploySquad();
    }
    if (zkFaults != null) {
      zkRollup = new ZkRollup(zkFaults, progress, l1.web3j(), this::tm, gas());
      closeables.add(zkRollup);
      zkRollup.start(
          dir,
          deployer,
          newFundedAccount(),
          newFundedAccount(),
          deployment.contracts().verdictOracle(),
          deployment.contracts().slashingCoordinator(),
          options.l2BlockTime());
      progress.zkRollup = ZkRollup.ROLLUP_ID;
    }
    l1.rawCall("evm_setIntervalMining", List.of(options.l1BlockTime().toSeconds()));
    // L2 blocks sign the start epoch once its boundary block is epoch-lag old (see EpochClock)
    Thread.sleep(epochLag().toMillis() + 1000);
    say(
        "devnet: L1 now mines a block every %ds; epochs are %d L1 blocks",
        options.l1BlockTime().toSeconds(), options.epochLength());
    l2Driver =
        new L2Driver(
            l2Anvil.rpcUrl(),
            OutputOracle.load(
                deployment.contracts().outputOracle(), l1.web3j(), tm(deployer), gas()),
            options.l2TxsPerBlock(),
            progress,
            options.badOutput());
    vitalBench.rollup(rollupId());
    progress.mainRollup = rollupId();
    l2Driver.bench = vitalBench;
    if (deployment.contracts().disputeGameFactory() != null) {
      l2Driver.games =
          org.avsnode.contracts.bindings.DisputeGameFactory.load(
              deployment.contracts().disputeGameFactory(), l1.web3j(), tm(deployer), gas());
    }
    closeables.add(l2Driver);
    if (!squad) {
      l2Driver.start();
    }
    startOperators(dir);
    if (squad) {
      List<URI> endpoints = new ArrayList<>();
      for (DevnetOperator op : operators) {
        if (op.index < firstOnlineEnd()) {
          endpoints.add(URI.create(op.apiUrl() + org.avsnode.squad.SquadDuty.RPC_PATH));
        }
      }
      squadWallets =
          new SquadWallets(
              new org.web3j.protocol.http.HttpService(l2Anvil.rpcUrl()), L2_CHAIN_ID, endpoints, 8);
      closeables.add(squadWallets);
      l2Driver.squad = squadWallets;
      l2Driver.committedHead = this::squadFinalHead;
      l2Driver.start();
      faults.scheduleWithFixedDelay(
          () -> {
            watchSquad();
            forcedTraffic();
            if (breakPreconf) {
              maybeBreakPreconf();
              watchBrokenPreconf();
            }
            if (equivocateSlot) {
              maybeEquivocateSlot();
              watchDoubleProposal();
            }
          },
          1,
          1,
          TimeUnit.SECONDS);
    }
    options
        .stopAggregatorAfter()
        .ifPresent(
            d ->
                faults.schedule(
                    () -> stopAggregator(0, "fault injection (--stop-aggregator-after)"),
                    d.toMillis(),
                    TimeUnit.MILLISECONDS));
  }

  /**
   * Makes each operator's keys and writes them as keystores under its data directory: the nodes
   * load them from there, on the same path as {@code operator run}.
   */
  /**
   * A data directory of an earlier devnet is reused by starting over: anvil keeps no chain state,
   * so the contracts, registrations and slashing-protection databases of that run belong to a chain
   * that no longer exists. Only what a devnet writes is removed; a directory holding anything else
   * is refused.
   */
  void startOver(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    List<Path> entries;
    try (var s = Files.list(dir)) {
      entries = s.toList();
    }
    if (entries.isEmpty()) {
      return;
    }
    List<Path> foreign = new ArrayList<>();
    for (Path e : entries) {
      String n = e.getFileName().toString();
      boolean ours =
          n.equals("deployment.json")
              || n.endsWith("-anvil.log")
              || (n.matches("op\\d+") && Files.isDirectory(e));
      if (!ours) {
        foreign.add(e);
      }
    }
    if (!foreign.isEmpty()) {
      throw new UserException(
          "--data-dir "
              + dir
              + " is not empty and is not a devnet's data directory (it holds "
              + foreign.get(0).getFileName()
              + "); choose another directory");
    }
    for (Path e : entries) {
      deleteTree(e);
    }
    say(
        "devnet: %s held an earlier devnet; starting over (anvil keeps no chain state, so it"
            + " cannot be resumed)",
        dir);
  }

  private static void deleteTree(Path p) throws IOException {
    if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try (var s = Files.list(p)) {
        for (Path c : s.toList()) {
          deleteTree(c);
        }
      }
    }
    Files.delete(p);
  }

  private void createOperators(Path dir) throws IOException {
    for (int i = 0; i < options.operators(); i++) {
      Credentials ecdsa = newFundedAccount();
      BlsSecretKey bls = BlsSecretKey.random(RANDOM);
      Path opDir = dir.resolve("op" + i);
      OperatorKeyFiles keys =
          OperatorKeyFiles.writeLight(
              opDir.resolve("keys"), bls, ecdsa.getEcKeyPair(), "devnet-op" + i, RANDOM);
      operators.add(new DevnetOperator(i, ecdsa, newFundedAccount(), bls, opDir, keys));
    }
  }

  /**
   * Stakers get tokens (one deployer transaction each, in order), then every operator registers in
   * parallel: registerAsOperator, its staker deposits and delegates, then the node's {@link
   * OperatorRegistrar} allocates, registers the BLS key with its proof of possession and records
   * the stake.
   */
  private void registerOperators() throws Exception {
    TestToken token =
        TestToken.load(deployment.contracts().testToken(), l1.web3j(), tm(deployer), gas());
    for (DevnetOperator op : operators) {
      check(token.mint(op.staker.getAddress(), STAKE).send().isStatusOK(), "mint");
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, operators.size()));
    try {
      List<Future<?>> done = new ArrayList<>();
      for (DevnetOperator op : operators) {
        done.add(pool.submit(() -> registerOne(op)));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private Void registerOne(DevnetOperator op) throws Exception {
    TransactionSender sender =
        new TransactionSender(
            l1,
            op.ecdsa,
            L1_CHAIN_ID,
            SenderConfig.DEFAULT.withTimeouts(Duration.ofSeconds(60), Duration.ofMillis(20)),
            new NodeMetrics(new NoOpMetricsSystem()),
            Clock.systemUTC());
    RestakingContracts rc = new RestakingContracts(l1, deployment, op.address());
    check(
        sender.sendAndWait(rc.registerAsOperator(ZERO, 0, "devnet operator " + op.index)).success(),
        "registerAsOperator");
    Web3j w = l1.web3j();
    TransactionManager stm = tm(op.staker);
    check(
        TestToken.load(deployment.contracts().testToken(), w, stm, gas())
            .approve(deployment.contracts().strategyManager(), STAKE)
            .send()
            .isStatusOK(),
        "approve");
    check(
        StrategyManager.load(deployment.contracts().strategyManager(), w, stm, gas())
            .depositIntoStrategy(
                deployment.contracts().strategy(), deployment.contracts().testToken(), STAKE)
            .send()
            .isStatusOK(),
        "depositIntoStrategy");
    check(
        DelegationManager.load(deployment.contracts().delegationManager(), w, stm, gas())
            .delegateTo(
                op.address(),
                new DelegationManager.SignatureWithExpiry(new byte[0], BigInteger.ZERO),
                new byte[32])
            .send()
            .isStatusOK(),
        "delegateTo");
    new OperatorRegistrar(rc, sender, step -> {})
        .register(
            new OperatorRegistrar.Request(List.of(deployment.operatorSetId()), "devnet", 0, WAD),
            RegistrationData.of(op.secretKey()));
    return null;
  }

  /**
   * Writes the operator set as a table contract (AvsRegistry.publishOperatorTable), so certificates
   * verify at the table's gas cost from the first one (the aggregators publish it after later
   * changes of the set).
   */
  private void publishOperatorTable() throws Exception {
    var r =
        org.avsnode.contracts.bindings.AvsRegistry.load(
                deployment.contracts().avsRegistry(), l1.web3j(), tm(deployer), gas())
            .publishOperatorTable(BigInteger.valueOf(deployment.operatorSetId()))
            .send();
    check(r.isStatusOK(), "publishOperatorTable");
    say(
        "devnet: operator table published (AvsRegistry.publishOperatorTable, gas %,d): certificates"
            + " verify from it",
        r.getGasUsed());
  }

  /**
   * How long an L1 epoch boundary must lie before an L2 block's timestamp before operators sign
   * that epoch (MACH's {@code epoch-lag}): a few L1 blocks, more than any devnet operator's L1 view
   * lags.
   */
  private Duration epochLag() {
    return Duration.ofSeconds(Math.max(3, 3 * options.l1BlockTime().toSeconds()));
  }

  /** Mines to the first block of the next epoch, where the registrations count. */
  private long nextEpoch() {
    long b = l1.blockNumber();
    long e = options.epochLength();
    long target = (b / e + 1) * e;
    l1.rawCall("anvil_mine", List.of("0x" + Long.toHexString(target - b)));
    return contracts.currentEpoch();
  }

  private void startOperators(Path dir) throws Exception {
    int aggs = options.aggregators();
    int[] ports = new int[aggs];
    List<URI> urls = new ArrayList<>();
    for (int i = 0; i < aggs; i++) {
      ports[i] = Ports.freePort();
      urls.add(URI.create("http://127.0.0.1:" + ports[i] + "/"));
    }
    aggregatorUrls = List.copyOf(urls);
    if (options.chaos()) {
      prepareChaos(options.chaosSeed().orElseThrow());
    }
    // --lying-l2: the last N online operators read their L2 through a node that lies about state
    for (int i = firstOnlineEnd() - options.lyingL2(); i < firstOnlineEnd(); i++) {
      DevnetOperator op = operators.get(i);
      FaultProxy liar = new FaultProxy(op.name() + "-lying-L2", URI.create(l2Anvil.rpcUrl()), i);
      liar.lieAboutState();
      closeables.add(liar);
      l2Proxies.put(op.index, liar);
      op.lying = true;
    }
    int firstOffline = options.operators() - options.offline();
    if (options.equivocate()) {
      equivocatorOp = operators.get(aggs);
      equivocator = new Equivocator(equivocatorOp.secretKey(), domain, aggregatorUrls, 4);
      equivocatorStakeBefore = stakeOf(equivocatorOp, contracts.currentEpoch());
    }
    if (options.contradict()) {
      contradictorOp = operators.get(aggs + (options.equivocate() ? 1 : 0));
      contradictor = new Contradictor(contradictorOp.secretKey(), domain, aggregatorUrls);
    }
    if (zkRollup != null && zkFaults.plantWrongVerdict()) {
      // the last operator: its node does not check the ZK rollup, so the planted verdict is its
      // only one there (one offence, slashed once)
      zkPlanter = operators.get(operators.size() - 1);
      zkRollup.planter =
          new ZkRollup.Planter(
              zkPlanter.name(),
              org.avsnode.bls.Hex.fromHex(zkPlanter.address()),
              zkPlanter.secretKey(),
              domain,
              aggregatorUrls,
              options.epochLength());
    }
    for (DevnetOperator op : operators) {
      op.aggregator = op.index < aggs;
      // SQUAD's peers are known up front: every operator's port is
      op.port =
          op.aggregator
              ? ports[op.index]
              : options.operatorProcesses() || squad ? Ports.freePort() : 0;
    }
    // operator processes start side by side (their start is mostly JVM start-up and keystore
    // decryption); one after another, the last of 5 was up 20 s after the first on 2 cores, after
    // SQUAD's first slots, which went to backups
    Map<DevnetOperator, Long> launched = new LinkedHashMap<>();
    if (options.operatorProcesses()) {
      for (DevnetOperator op : operators) {
        if (op.index < firstOffline) {
          launched.put(op, launchOperatorProcess(op));
        }
      }
    }
    for (DevnetOperator op : operators) {
      if (op.index >= firstOffline) {
        say(
            "devnet: %s %s is OFFLINE (registered, never signs%s)",
            op.name(), op.address(), squad ? "; its SQUAD slots go to their backups" : "");
        continue;
      }
      if (options.operatorProcesses()) {
        awaitOperatorProcess(op, launched.get(op));
      } else {
        startOperator(op, dir);
      }
      say(
          "devnet: %s %s running %s at %s%s%s%s",
          op.name(),
          op.address(),
          squad ? "MACH, VITAL and SQUAD" : "MACH and VITAL",
          op.apiUrl(),
          op.process != null ? " (process " + op.process.pid() + ")" : "",
          op.aggregator ? " + aggregator (rank " + op.index + ")" : "",
          op == equivocatorOp
              ? "  [faulty: will equivocate]"
              : op == contradictorOp
                  ? "  [faulty: will contradict its verdict]"
                  : op.lying ? "  [reads a lying L2 node]" : "");
    }
    if (options.operatorProcesses()) {
      progress.firstWatchedHeight = l2Driver.headNumber();
      faults.scheduleWithFixedDelay(this::watchFinality, 1, 1, TimeUnit.SECONDS);
    }
    faults.scheduleWithFixedDelay(this::watchVerdicts, 1, 1, TimeUnit.SECONDS);
    if (zkRollup != null) {
      faults.scheduleWithFixedDelay(this::watchZk, 1, 1, TimeUnit.SECONDS);
    }
    say(
        "devnet: running; one line per certificate (L2 block, signers/total, signed stake,"
            + " latency), one per on-chain submission%s",
        "; Ctrl-C stops every process");
  }

  /** The MACH section of one operator: what {@code --duty-option mach.KEY=VALUE} would give. */
  Map<String, String> machSection(DevnetOperator op) {
    Map<String, String> mach = new LinkedHashMap<>();
    mach.put("rollups", rollupId() + "=" + l2UrlFor(op));
    List<URI> sendTo = new ArrayList<>(aggregatorUrls);
    if (witness != null) {
      sendTo.add(witness.url()); // the chaos witness records every attestation as well
    }
    mach.put("aggregators", String.join(",", sendTo.stream().map(URI::toString).toList()));
    mach.put("aggregator", Boolean.toString(op.aggregator));
    if (op.aggregator) {
      mach.put("aggregator-rank", Integer.toString(op.index));
      mach.put("aggregator-count", Integer.toString(options.aggregators()));
    }
    mach.put("threshold-bps", Integer.toString(options.thresholdBps()));
    // every operator polls the one L2 anvil: poll less often as the devnet grows
    mach.put(
        "poll-interval",
        options.operators() <= 16 ? "100ms" : options.operators() <= 32 ? "200ms" : "300ms");
    mach.put("submit-grace", (options.l1BlockTime().toSeconds() * 3) + "s");
    mach.put("submit-every-l1-blocks", Long.toString(options.submitEveryL1Blocks()));
    mach.put("epoch-lag", epochLag().toSeconds() + "s");
    if (squad && options.chaos()) {
      // the chaos reorganises L1 up to MAX_REORG_DEPTH blocks deep: a commitment one block deeper
      // than that cannot be removed, so no block MACH attests can be dropped by it
      mach.put("sequenced-confirmations", Integer.toString(Chaos.MAX_REORG_DEPTH + 1));
    }
    return mach;
  }

  private Map<String, Map<String, String>> dutySections(DevnetOperator op) {
    Map<String, Map<String, String>> sections = new LinkedHashMap<>();
    sections.put(MachDuty.ID, machSection(op));
    sections.put(VitalDuty.ID, vitalSection(op));
    if (squad) {
      sections.put(org.avsnode.squad.SquadDuty.ID, squadSection(op));
    }
    return sections;
  }

  /** The SQUAD section of one operator: what {@code --duty-option squad.KEY=VALUE} would give. */
  Map<String, String> squadSection(DevnetOperator op) {
    Map<String, String> section = new LinkedHashMap<>();
    section.put("rollup-id", Long.toString(rollupId()));
    // the sequencer builds on the honest L2 node (a lying node is a MACH/VITAL fault)
    section.put("l2-rpc-url", l2Anvil.rpcUrl());
    section.put("schedule", squadContracts.schedule());
    section.put("inbox", squadContracts.inbox());
    section.put("queue", squadContracts.queue());
    // every operator builds on the one L2 anvil: their writes to it take turns, across processes
    section.put("l2-lock-file", options.dataDir().resolve("l2.lock").toAbsolutePath().toString());
    List<String> peers = new ArrayList<>();
    for (DevnetOperator o : operators) {
      peers.add(o.address().toLowerCase(java.util.Locale.ROOT) + "=http://127.0.0.1:" + o.port);
    }
    section.put("peers", String.join(",", peers));
    return section;
  }

  /**
   * From the SQUAD contracts' deployment to slot 0: 10 s for the devnet's own set-up (L1 interval
   * mining, the epoch lag) when the operators run in this JVM. Operators that run as processes
   * start only after that set-up, side by side, each a JVM that decrypts its keystores: 5 of them
   * took about 10 s on 2 cores, so slot 0 waits 15 s more; with 10 s, slots 0 to 3 went to backups,
   * or to nobody, while their leaders were still starting (and each such miss halves the leader's
   * reputation on chain).
   */
  private long squadGenesisDelaySeconds() {
    return options.operatorProcesses() ? 25 : 10;
  }

  /**
   * Deploys the rollup's SQUAD contracts (schedule, inbox, forced-inclusion queue), registers the
   * inbox with the slashing coordinator and fixes the first schedule epochs; slot 0 starts {@link
   * #squadGenesisDelaySeconds} on.
   */
  private void deploySquad() throws Exception {
    byte[] l2Genesis =
        org.web3j.utils.Numeric.hexStringToByteArray(
            squadL2()
                .ethGetBlockByNumber(
                    org.web3j.protocol.core.DefaultBlockParameterName.LATEST, false)
                .send()
                .getBlock()
                .getHash());
    long genesis = System.currentTimeMillis() / 1000 + squadGenesisDelaySeconds();
    squadGenesis = genesis;
    squadContracts =
        org.avsnode.contracts.deploy.SquadDeployer.deploy(
            l1.web3j(),
            deployer,
            deployment,
            new org.avsnode.contracts.deploy.SquadDeployer.Params(
                genesis,
                SQUAD_SLOT_SECONDS,
                SQUAD_SLOTS_PER_EPOCH,
                SQUAD_BACKUPS,
                SQUAD_GRACE_SECONDS,
                SQUAD_DUE_AFTER_SECONDS,
                60,
                BigInteger.ZERO,
                rollupId(),
                l2Genesis,
                3));
    say(
        "devnet: SQUAD contracts deployed (schedule %s, inbox %s, forced-inclusion queue %s);"
            + " slot 0 starts in "
            + squadGenesisDelaySeconds()
            + " s",
        squadContracts.schedule(),
        squadContracts.inbox(),
        squadContracts.queue());
  }

  /** The number of the last L2 block committed to the SQUAD inbox (0 before the first). */
  long squadCommittedHead() {
    try {
      return l2NumberOf(squadInbox().lastBlockHash().send());
    } catch (Exception e) {
      return 0;
    }
  }

  /** The number of the L2 block {@code hash} on the L2 node, 0 when the node does not have it. */
  private long l2NumberOf(byte[] hash) throws java.io.IOException {
    var b =
        squadL2()
            .ethGetBlockByHash(org.web3j.utils.Numeric.toHexString(hash), false)
            .send()
            .getBlock();
    return b == null ? 0 : b.getNumber().longValueExact();
  }

  /**
   * L1 blocks below L1's head at which the proposer reads the inbox's last committed L2 block: one
   * more than the deepest reorg the devnet makes ({@link Chaos#MAX_REORG_DEPTH}), so an output is
   * posted only for a block whose commitment no reorg here removes. Without it the proposer may
   * post the root of an L2 block that a reorg then has re-sequenced: a wrong output, which the
   * operators' quorum rightly invalidates, and MACH attests nothing up to the next output.
   */
  static final int PROPOSER_L1_DEPTH = Chaos.MAX_REORG_DEPTH + 1;

  /**
   * The L2 number of the inbox's last committed block as L1 had it {@link #PROPOSER_L1_DEPTH}
   * blocks below its head (what the proposer treats as final); 0 when it cannot be read.
   */
  long squadFinalHead() {
    try {
      long l1Head = l1.web3j().ethBlockNumber().send().getBlockNumber().longValueExact();
      long at = l1Head - PROPOSER_L1_DEPTH;
      if (at < deployment.deploymentBlock()) {
        return 0;
      }
      org.avsnode.contracts.bindings.SequencerInbox inbox = squadInbox();
      inbox.setDefaultBlockParameter(
          org.web3j.protocol.core.DefaultBlockParameter.valueOf(BigInteger.valueOf(at)));
      return l2NumberOf(inbox.lastBlockHash().send());
    } catch (Exception e) {
      return 0;
    }
  }

  /** The outputs posted with the right root that the operators' quorum invalidated on L1. */
  private List<Long> goodOutputsInvalidated() {
    return progress.invalidatedOnChain.stream()
        .filter(i -> !l2Driver.badOutputs.contains(i))
        .sorted()
        .toList();
  }

  /**
   * SQUAD's outcome for the chaos report: every transaction the endpoints preconfirmed long enough
   * ago is looked up on the L2 node, and must be in a block at or below the inbox's last committed
   * one (in its own slot's block, or carried into a later one).
   */
  private Chaos.Report.SquadOutcome squadOutcome() {
    long committedHead = squadCommittedHead();
    long before = System.currentTimeMillis() - Chaos.SQUAD_SETTLE_MILLIS;
    long judged = 0;
    long landed = 0;
    List<String> notLanded = new ArrayList<>();
    for (String h : new ArrayList<>(squadWallets.acceptedHashes)) {
      Long at = squadWallets.acceptedAtMillis.get(h);
      if (at == null || at > before) {
        continue;
      }
      judged++;
      if (inCommittedBlock(h, committedHead)) {
        landed++;
      } else if (notLanded.size() < 20) {
        notLanded.add(h);
      }
    }
    // every item the L1 queue holds now (an L1 reorg may have removed one the devnet saw queued)
    long forcedBefore = System.currentTimeMillis() - Chaos.FORCED_SETTLE_MILLIS;
    long forcedJudged = 0;
    List<String> forcedMissing = new ArrayList<>();
    long forcedMissingCount = 0;
    try {
      var queue =
          org.avsnode.contracts.bindings.ForcedInclusionQueue.load(
              squadContracts.queue(), l1.web3j(), tm(deployer), gas());
      long items = queue.length().send().longValueExact();
      for (long i = 0; i < items; i++) {
        var item = queue.itemAt(BigInteger.valueOf(i)).send();
        if (item.component2().longValueExact() * 1000 > forcedBefore) {
          continue;
        }
        forcedJudged++;
        String h = org.web3j.utils.Numeric.toHexString(item.component1());
        if (!inCommittedBlock(h, committedHead)) {
          forcedMissingCount++;
          if (forcedMissing.size() < 20) {
            forcedMissing.add(h);
          }
        }
      }
    } catch (Exception e) {
      forcedMissingCount++;
      forcedMissing.add("the forced-inclusion queue could not be read: " + e);
    }
    long byBackup = progress.squadSlots.values().stream().filter(k -> k > 0 && k < 255).count();
    return new Chaos.Report.SquadOutcome(
        progress.squadSlots.size(),
        byBackup,
        squadWallets.accepted.get(),
        judged,
        landed,
        notLanded,
        judged - landed,
        progress.forcedQueued.get(),
        progress.forcedIncluded.get(),
        forcedJudged,
        forcedMissing,
        forcedMissingCount);
  }

  /**
   * Whether the L2 node has transaction {@code hash} in a block at or below {@code committedHead};
   * false when it does not answer for it.
   */
  private boolean inCommittedBlock(String hash, long committedHead) {
    try {
      var receipt = squadL2().ethGetTransactionReceipt(hash).send().getTransactionReceipt();
      return receipt.isPresent()
          && receipt.get().getBlockNumber().longValueExact() <= committedHead;
    } catch (Exception e) {
      return false;
    }
  }

  private org.avsnode.contracts.bindings.SequencerInbox squadInbox() {
    return org.avsnode.contracts.bindings.SequencerInbox.load(
        squadContracts.inbox(),
        l1.web3j(),
        new org.web3j.tx.ReadonlyTransactionManager(l1.web3j(), deployment.deployer()),
        gas());
  }

  /** One console line per slot committed on L1: who committed it, at which rank, what it held. */
  private void watchSquad() {
    try {
      long head = l1.web3j().ethBlockNumber().send().getBlockNumber().longValueExact();
      if (squadLogFrom < 0) {
        squadLogFrom = deployment.deploymentBlock();
      }
      if (head < squadLogFrom) {
        return;
      }
      org.web3j.protocol.core.methods.request.EthFilter f =
          new org.web3j.protocol.core.methods.request.EthFilter(
              org.web3j.protocol.core.DefaultBlockParameter.valueOf(
                  BigInteger.valueOf(squadLogFrom)),
              org.web3j.protocol.core.DefaultBlockParameter.valueOf(BigInteger.valueOf(head)),
              squadContracts.inbox());
      f.addSingleTopic(
          org.web3j.abi.EventEncoder.encode(
              org.avsnode.contracts.bindings.SequencerInbox.SLOTCOMMITTED_EVENT));
      var logs = l1.web3j().ethGetLogs(f).send();
      if (logs.hasError()) {
        return;
      }
      for (var r : logs.getLogs()) {
        var e =
            org.avsnode.contracts.bindings.SequencerInbox.getSlotCommittedEventFromLog(
                (org.web3j.protocol.core.methods.response.Log) r.get());
        long slot = e.slot.longValueExact();
        int rank = e.rank.intValue();
        progress.squadSlots.put(slot, rank);
        squadCommitments.put(slot, e);
        if (rank > 0 && rank < 255) {
          // a backup's commitment: from the missed deadline (slot end + grace) to its L1 block
          var l1Block =
              l1.web3j()
                  .ethGetBlockByNumber(
                      org.web3j.protocol.core.DefaultBlockParameter.valueOf(
                          ((org.web3j.protocol.core.methods.response.Log) r.get())
                              .getBlockNumber()),
                      false)
                  .send()
                  .getBlock();
          long deadline = squadGenesis + (slot + 1) * SQUAD_SLOT_SECONDS + SQUAD_GRACE_SECONDS;
          progress.squadHandoverSeconds.put(
              slot, l1Block.getTimestamp().longValueExact() - deadline);
        }
        var b =
            squadL2()
                .ethGetBlockByHash(org.web3j.utils.Numeric.toHexString(e.blockHash), false)
                .send()
                .getBlock();
        say(
            "squad     slot %-5d committed by %s (%s): L2 #%s with %d transaction(s)",
            slot,
            operatorName(e.committer),
            rank == 0 ? "its leader" : rank == 255 ? "the escape hatch" : "backup " + rank,
            b == null ? "?" : b.getNumber(),
            b == null ? 0 : b.getTransactions().size());
      }
      squadLogFrom = head + 1;
    } catch (Exception e) {
      org.slf4j.LoggerFactory.getLogger(Devnet.class)
          .debug("devnet: watching the SQUAD inbox: {}", e.toString());
    }
  }

  private org.web3j.protocol.Web3j squadL2Client;

  /** A client of the L2 anvil (the devnet's own reads). */
  private synchronized org.web3j.protocol.Web3j squadL2() {
    if (squadL2Client == null) {
      squadL2Client =
          org.web3j.protocol.Web3j.build(new org.web3j.protocol.http.HttpService(l2Anvil.rpcUrl()));
      closeables.add(squadL2Client::shutdown);
    }
    return squadL2Client;
  }

  private String operatorName(String address) {
    for (DevnetOperator op : operators) {
      if (op.address().equalsIgnoreCase(address)) {
        return op.name();
      }
    }
    return address;
  }

  /** The VITAL section of one operator: what {@code --duty-option vital.KEY=VALUE} would give. */
  Map<String, String> vitalSection(DevnetOperator op) {
    Map<String, String> vital = new LinkedHashMap<>();
    // the rollup twice: through its output oracle (rollupId) and through its dispute games
    // (rollupId + 1); both name the same L2 endpoint(s), so they share its rate limiter. A lying
    // operator reads two sources, the lying one and the honest node: they disagree, so VITAL
    // abstains.
    String l2 = op.lying ? l2UrlFor(op) + "|" + l2Anvil.rpcUrl() : l2UrlFor(op);
    vital.put(
        "rollups",
        rollupId()
            + "="
            + l2
            + (deployment.contracts().disputeGameFactory() == null
                ? ""
                : "," + gameRollupId() + "=" + l2));
    if (squad && deployment.contracts().disputeGameFactory() != null) {
      // the games follow the chain SQUAD sequences as the output oracle's rollup
      vital.put("sequenced-as", gameRollupId() + "=" + rollupId());
    }
    vital.put("aggregators", String.join(",", aggregatorUrls.stream().map(URI::toString).toList()));
    vital.put("aggregator", Boolean.toString(op.aggregator));
    if (op.aggregator) {
      vital.put("aggregator-rank", Integer.toString(op.index));
      vital.put("aggregator-count", Integer.toString(options.aggregators()));
    }
    vital.put("threshold-bps", Integer.toString(options.thresholdBps()));
    vital.put("submit-grace", (options.l1BlockTime().toSeconds() * 3) + "s");
    vital.put("poll-interval", options.operators() <= 16 ? "250ms" : "500ms");
    // the ZK rollup: every operator but the planter of the wrong verdict (its one verdict there is
    // the planted one) and those on a lying L2 node (their lie is about the optimistic rollup)
    if (zkRollup != null && op != zkPlanter && !op.lying) {
      vital.put(
          "rollups", vital.get("rollups") + "," + ZkRollup.ROLLUP_ID + "=" + zkRollup.l2Url());
      vital.put("zk-proposers", ZkRollup.ROLLUP_ID + "=" + zkRollup.proposer());
      vital.put("proof-deadline", ZkRollup.PROOF_DEADLINE.toSeconds() + "s");
    }
    // a devnet output's block is at most seconds old: what does not resolve in 30 s will not
    vital.put("recheck-for", "30s");
    return vital;
  }

  /** Whether the planted wrong verdict on the ZK rollup was slashed (read from L1). */
  private volatile boolean zkPlantSlashed;

  /** The ZK rollup's records on L1 and the planted verdict's evidence: one line each. */
  private void watchZk() {
    ZkRollup z = zkRollup;
    if (z == null) {
      return;
    }
    z.watchRecords();
    if (zkPlanter == null) {
      return;
    }
    if (z.plantedOn != null && !zkPlantSlashed && zkEvidenceUsed(z.plantedOn)) {
      zkPlantSlashed = true;
      say(
          "on-chain  %s SLASHED for its INVALID verdict on zk commitment #%s, contradicted by"
              + " the proof of that commitment (SlashingCoordinator.slashZkVerdict)",
          zkPlanter.name(), z.plantedOn);
    }
    if (z.plantedValidOn != null && !zkPlantValidSlashed && zkEvidenceUsed(z.plantedValidOn)) {
      zkPlantValidSlashed = true;
      say(
          "on-chain  %s SLASHED for its VALID verdict on the wrong root of zk commitment #%s,"
              + " contradicted by the proof of the batch committed again"
              + " (SlashingCoordinator.slashZkVerdict)",
          zkPlanter.name(), z.plantedValidOn);
    }
  }

  private volatile boolean zkPlantValidSlashed;

  /** Whether the ZK verdict evidence against the planter on {@code commitment} was used. */
  private boolean zkEvidenceUsed(BigInteger commitment) {
    try {
      SlashingCoordinator sc =
          SlashingCoordinator.load(
              deployment.contracts().slashingCoordinator(), l1.web3j(), tm(deployer), gas());
      byte[] key =
          sc.zkVerdictEvidenceKey(
                  zkPlanter.address(), BigInteger.valueOf(ZkRollup.ROLLUP_ID), commitment)
              .send();
      return sc.evidenceUsed(key).send();
    } catch (Exception e) {
      return false; // L1 busy: next second
    }
  }

  /** Whether the planted INVALID verdict on a good commitment was slashed. */
  boolean zkPlantSlashed() {
    return zkPlantSlashed;
  }

  /** Whether the planted VALID verdict on a wrong root was slashed. */
  boolean zkPlantValidSlashed() {
    return zkPlantValidSlashed;
  }

  /**
   * Reads the verdict oracle on L1 for every output the proposer posted: one line when an output is
   * invalidated or validated by the operators' quorum (what a bridge would read).
   */
  private void watchVerdicts() {
    if (l2Driver == null || deployment.contracts().verdictOracle() == null) {
      return;
    }
    try {
      org.avsnode.contracts.bindings.VerdictOracle v = verdictOracle();
      Map<Long, Boolean> outputs =
          newlyDecided(
              v,
              rollupId(),
              l2Driver.outputsProposed.get() + 1,
              progress.invalidatedOnChain,
              progress.validatedOnChain);
      for (Map.Entry<Long, Boolean> d : outputs.entrySet()) {
        long i = d.getKey();
        boolean bad = l2Driver.badOutputs.contains(i);
        if (!d.getValue()) {
          say(
              "on-chain  output #%-4d VALIDATED on L1 by the operators' verdict certificate%s",
              i, bad ? "  ** a wrong root: this is a defect **" : "");
          continue;
        }
        say(
            "on-chain  output #%-4d INVALIDATED on L1 by the operators' verdict certificate%s",
            i, bad ? " (it was the wrong root)" : "  ** a good output: this is a defect **");
        if (contradictor != null && bad) {
          invalidatedForContradictor.add(i);
        }
      }
      contradictorAttests();
      Map<Long, Boolean> games =
          newlyDecided(
              v,
              gameRollupId(),
              l2Driver.gamesCreated.get(),
              progress.gamesInvalidatedOnChain,
              progress.gamesValidatedOnChain);
      for (Map.Entry<Long, Boolean> d : games.entrySet()) {
        long i = d.getKey();
        boolean bad = l2Driver.badGames.contains(i);
        if (d.getValue()) {
          say(
              "on-chain  game   #%-4d INVALIDATED on L1 by the operators' verdict certificate%s",
              i, bad ? " (its root claim was wrong)" : "  ** a good game: this is a defect **");
        } else if (bad) {
          say("on-chain  game   #%-4d VALIDATED on L1  ** a wrong root claim: a defect **", i);
        }
      }
    } catch (Exception e) {
      // L1 busy: next second
    }
  }

  /** Wrong outputs invalidated on L1 that the contradicting operator may attest to (the first). */
  private final java.util.NavigableSet<Long> invalidatedForContradictor =
      new java.util.concurrent.ConcurrentSkipListSet<>();

  /**
   * {@code --contradict}: the faulty operator attests to the first wrong output the quorum
   * invalidated, once. Tried again on every pass until it happened: the output's proposal may not
   * be recorded by the L2 driver yet when its invalidation is read, and an L1 read may fail.
   */
  private void contradictorAttests() {
    if (contradictor == null
        || contradictor.attestedInvalidOutput != null
        || invalidatedForContradictor.isEmpty()) {
      return;
    }
    long i = invalidatedForContradictor.first();
    L2Driver.Posted p = l2Driver.posted.get(i);
    if (p == null) {
      return;
    }
    long epoch = l1.blockNumber() / options.epochLength();
    contradictor.attestToInvalidated(
        BigInteger.valueOf(i),
        rollupId(),
        p.l2Block(),
        p.l2BlockHash(),
        p.root(),
        epoch,
        task -> {
          for (int s : new int[] {2, 5, 10, 20}) {
            faults.schedule(task, s, TimeUnit.SECONDS);
          }
        });
    if (contradictor.attestedInvalidOutput != null) {
      say(
          "fault     %s attests to invalidated output #%d (L2 #%d with the posted root)"
              + " (--contradict)",
          contradictorOp.name(), i, p.l2Block());
    }
  }

  /**
   * Reads the verdict oracle for outputs {@code 0..count-1} of {@code rollup} not decided yet; each
   * newly decided one is added to {@code invalidated} or {@code validated} and returned (index →
   * true when invalidated), in index order. When L1 fails midway, what was read so far.
   */
  private static Map<Long, Boolean> newlyDecided(
      org.avsnode.contracts.bindings.VerdictOracle v,
      long rollup,
      long count,
      java.util.Set<Long> invalidated,
      java.util.Set<Long> validated) {
    Map<Long, Boolean> out = new LinkedHashMap<>();
    BigInteger r = BigInteger.valueOf(rollup);
    try {
      for (long i = 0; i < count; i++) {
        if (invalidated.contains(i) || validated.contains(i)) {
          continue;
        }
        BigInteger idx = BigInteger.valueOf(i);
        if (v.isInvalidated(r, idx).send()) {
          invalidated.add(i);
          out.put(i, true);
        } else if (v.isValidated(r, idx).send()) {
          validated.add(i);
          out.put(i, false);
        }
      }
    } catch (Exception e) {
      // L1 busy: the rest next second
    }
    return out;
  }

  /** The rollup id the dispute game factory is registered under (Deployer: rollup id + 1). */
  long gameRollupId() {
    return rollupId() + 1;
  }

  private org.avsnode.contracts.bindings.VerdictOracle verdictOracle() {
    return org.avsnode.contracts.bindings.VerdictOracle.load(
        deployment.contracts().verdictOracle(), l1.web3j(), tm(deployer), gas());
  }

  /**
   * One operator's node settings: exactly what {@code operator run} builds from its flags (the
   * keystores this devnet wrote, the deployment file, the operator's MACH section).
   */
  NodeSettings settings(DevnetOperator op) {
    return NodeSettings.builder(op.dataDir)
        .nodeName("devnet-" + op.name())
        .nodeVersion(OperatorCommand.version())
        .httpPort(op.port)
        .metricsEnabled(true)
        .l1RpcUrl(URI.create(l1UrlFor(op)))
        .deploymentFile(options.dataDir().resolve("deployment.json"))
        .confirmations(0)
        .l1PollInterval(Duration.ofMillis(250))
        .duties(
            squad
                ? List.of(MachDuty.ID, VitalDuty.ID, org.avsnode.squad.SquadDuty.ID)
                : List.of(MachDuty.ID, VitalDuty.ID))
        .dutyConfig(dutySections(op))
        .blsKey(op.keys.bls().keystoreFile(), op.keys.bls().passwordFile())
        .ecdsaKey(op.keys.ecdsa().keystoreFile(), op.keys.ecdsa().passwordFile())
        .build();
  }

  /** Starts the operator in this JVM (operator processes: {@link #launchOperatorProcess}). */
  private void startOperator(DevnetOperator op, Path dir) throws Exception {
    MachEvents events = progress.forOperator(op);
    if (op == equivocatorOp) {
      MachEvents honest = events;
      events =
          new MachEvents() {
            @Override
            public void onAttested(SignedMessage<FinalityAttestation> a, L2Block block) {
              honest.onAttested(a, block);
              equivocator.honestAttestation(a);
            }
          };
    }
    NodeRuntime runtime =
        RunComponent.create(
                settings(op),
                LogLevelControl.UNSUPPORTED,
                DutyObservers.none()
                    .with(MachEvents.class, events)
                    .with(org.avsnode.vital.VitalEvents.class, vitalEvents(op))
                    .with(org.avsnode.squad.SquadFaults.class, squadFaults(op)))
            .runtime();
    runtime.start();
    op.runtime = runtime;
    op.duty = runtime.duty(MachDuty.ID).map(MachDuty.class::cast).orElseThrow();
  }

  /** The console's VITAL events of one in-process operator; the contradictor's tap on its own. */
  private org.avsnode.vital.VitalEvents vitalEvents(DevnetOperator op) {
    org.avsnode.vital.VitalEvents console = vitalBench.tap(progress.vitalForOperator(op));
    if (op != contradictorOp) {
      return console;
    }
    return new org.avsnode.vital.VitalEvents() {
      @Override
      public void onVerdict(
          long rollupId, BigInteger outputIndex, String verdict, String reason, long millis) {
        console.onVerdict(rollupId, outputIndex, verdict, reason, millis);
      }

      @Override
      public void onSigned(SignedMessage<org.avsnode.bls.eip712.OutputVerdict> verdict) {
        if (verdict.message().rollupId() != rollupId()) {
          return; // the output oracle's rollup only (its games are another rollup id)
        }
        contradictor.honestVerdict(verdict);
        say(
            "fault     %s signs the opposite verdict on output #%s too (--contradict)",
            op.name(), verdict.message().outputIndex());
      }
    };
  }

  /**
   * Starts the operator as its own {@code operator run} process of this binary (same Java, same
   * class path), configured by flags exactly as an operator would, and waits for its API. It stops
   * when this JVM exits for any reason: its standard input is a pipe from here (see {@link
   * RunCommand#STOP_WITH_PARENT_ENV}).
   */
  private void startOperatorProcess(DevnetOperator op) throws Exception {
    awaitOperatorProcess(op, launchOperatorProcess(op));
  }

  /**
   * Starts the operator's process (see {@link #startOperatorProcess}); returns its log's offset.
   */
  private long launchOperatorProcess(DevnetOperator op) throws IOException {
    NodeSettings s = settings(op);
    List<String> cmd = new ArrayList<>();
    cmd.add(
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
    cmd.add(Main.class.getName());
    cmd.addAll(
        List.of(
            "run",
            "--node-name",
            s.nodeName(),
            "--data-path",
            s.dataPath().toString(),
            "--http-port",
            Integer.toString(op.port),
            "--metrics-enabled",
            "--l1-rpc-url",
            s.l1RpcUrl().orElseThrow().toString(),
            "--deployment-file",
            s.requireDeploymentFile().toString(),
            "--confirmations",
            "0",
            "--l1-poll-interval",
            "250ms",
            "--duties",
            String.join(",", s.duties()),
            "--bls-keystore-file",
            op.keys.bls().keystoreFile().toString(),
            "--bls-password-file",
            op.keys.bls().passwordFile().toString(),
            "--ecdsa-keystore-file",
            op.keys.ecdsa().keystoreFile().toString(),
            "--ecdsa-password-file",
            op.keys.ecdsa().passwordFile().toString()));
    for (Map.Entry<String, Map<String, String>> section : s.dutyConfig().entrySet()) {
      for (Map.Entry<String, String> e : section.getValue().entrySet()) {
        cmd.add("--duty-option");
        cmd.add(section.getKey() + "." + e.getKey() + "=" + e.getValue());
      }
    }
    Path log = op.dataDir.resolve("operator.log");
    long logStart = Files.exists(log) ? Files.size(log) : 0; // a restart appends
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put(RunCommand.STOP_WITH_PARENT_ENV, "1");
    pb.environment().put("AVS_LOG_LEVEL", "INFO");
    Process p = pb.start();
    op.process = p;
    started.add(p.toHandle());
    return logStart;
  }

  /** Waits until the operator's process serves its API; it fails if the process exits first. */
  private void awaitOperatorProcess(DevnetOperator op, long logStart) throws Exception {
    Process p = op.process;
    Path log = op.dataDir.resolve("operator.log");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      if (!p.isAlive()) {
        String said = logSince(log, logStart).strip();
        String last = said.isEmpty() ? "" : said.substring(said.lastIndexOf('\n') + 1);
        throw new IllegalStateException(
            op.name()
                + " exited with code "
                + p.exitValue()
                + " at start ("
                + last
                + "); see "
                + log);
      }
      if (Files.exists(log) && logSince(log, logStart).contains("node API listening on")) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(op.name() + " did not start within 60 s; see " + log);
      }
      Thread.sleep(100);
    }
  }

  private static String logSince(Path log, long offset) throws IOException {
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(log.toFile(), "r")) {
      long len = f.length();
      if (len <= offset) {
        return "";
      }
      byte[] b = new byte[(int) Math.min(len - offset, 1 << 20)];
      f.seek(offset);
      f.readFully(b);
      return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** One past the last operator that runs (the offline ones are the last). */
  private int firstOnlineEnd() {
    return options.operators() - options.offline();
  }

  /** The L1 endpoint an operator is given: the anvil, or under chaos its fault proxy. */
  private String l1UrlFor(DevnetOperator op) {
    FaultProxy p = l1Proxies.get(op.index);
    return p != null ? p.url() : l1Anvil.rpcUrl();
  }

  private String l2UrlFor(DevnetOperator op) {
    FaultProxy p = l2Proxies.get(op.index);
    return p != null ? p.url() : l2Anvil.rpcUrl();
  }

  /**
   * Under chaos: a fault proxy in front of each operator's L1 and L2 endpoints, and the witness.
   */
  private void prepareChaos(long seed) throws IOException {
    for (DevnetOperator op : operators) {
      FaultProxy l1p =
          new FaultProxy(op.name() + "-L1", URI.create(l1Anvil.rpcUrl()), seed * 31 + op.index);
      closeables.add(l1p);
      l1Proxies.put(op.index, l1p);
      FaultProxy l2p =
          new FaultProxy(op.name() + "-L2", URI.create(l2Anvil.rpcUrl()), seed * 37 + op.index);
      closeables.add(l2p);
      l2Proxies.put(op.index, l2p);
    }
    witness =
        new ChaosWitness(
            domain,
            operators.stream().map(DevnetOperator::address).toList(),
            operators.stream().map(o -> o.secretKey().publicKey()).toList(),
            rollupId());
    closeables.add(witness);
    l2Reader =
        L1Client.http(
            l2Anvil.rpcUrl(),
            Duration.ofSeconds(5),
            RetryPolicy.DEFAULT,
            new NodeMetrics(new NoOpMetricsSystem()));
    closeables.add(l2Reader);
    say(
        "devnet: chaos: each operator reaches L1 and L2 through a fault proxy; a witness at %s"
            + " records every attestation",
        witness.url());
  }

  /**
   * Starts the chaos of {@code --chaos} for a run of {@code total}: faults for most of it, then a
   * quiet tail (a sixth of the run, 20 to 60 s) in which the last heights settle.
   */
  void startChaos(Duration total) {
    if (witness == null) {
      return;
    }
    long quietSecs = Math.max(20, Math.min(60, total.toSeconds() / 6));
    Duration chaosFor = total.minusSeconds(quietSecs);
    if (chaosFor.toSeconds() < 10) {
      throw new UserException("--chaos needs a --duration of at least " + (quietSecs + 10) + "s");
    }
    chaos = new Chaos(new ChaosTarget(), witness, options.chaosSeed().orElseThrow(), this::say);
    closeables.add(chaos);
    chaos.verifier(
        new org.avsnode.operator.registry.NodeCertificateVerifier(
            contracts.registryReader(), domain));
    chaos.start(chaosFor, l2Driver.headNumber() + 1);
  }

  /** The chaos hooks into this devnet. */
  private final class ChaosTarget implements Chaos.Target {
    private final java.net.http.HttpClient metricsClient =
        java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Override
    public int operatorCount() {
      return operators.size();
    }

    @Override
    public boolean isAggregator(int op) {
      return operators.get(op).aggregator;
    }

    @Override
    public long kill(int op) {
      DevnetOperator o = operators.get(op);
      Process p = o.process;
      long pid = p == null ? -1 : p.pid();
      o.kill();
      return pid;
    }

    @Override
    public long restart(int op) throws Exception {
      DevnetOperator o = operators.get(op);
      startOperatorProcess(o);
      return o.process.pid();
    }

    @Override
    public java.util.OptionalLong pid(int op) {
      Process p = operators.get(op).process;
      return p != null && p.isAlive()
          ? java.util.OptionalLong.of(p.pid())
          : java.util.OptionalLong.empty();
    }

    @Override
    public String apiUrl(int op) {
      return operators.get(op).apiUrl();
    }

    @Override
    public FaultProxy l1Proxy(int op) {
      return l1Proxies.get(op);
    }

    @Override
    public FaultProxy l2Proxy(int op) {
      return l2Proxies.get(op);
    }

    @Override
    public String reorg(int depth) throws Exception {
      Object id = l1.rawCall("evm_snapshot", List.of());
      long from = l1.blockNumber();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (l1.blockNumber() < from + depth) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("L1 did not mine " + depth + " blocks in 30 s");
        }
        Thread.sleep(100);
      }
      long before = l1.blockNumber();
      Object ok = l1.rawCall("evm_revert", List.of(id));
      if (!Boolean.TRUE.equals(ok)) {
        throw new IllegalStateException("evm_revert answered " + ok);
      }
      // anvil's clock continues from the snapshot's time, behind the wall clock by the reverted
      // span for the rest of the run (and more with every reorg); a real chain's new branch
      // carries its own slots' times. Deadlines judged on L1's clock (SQUAD's windows) need it.
      l1.rawCall("anvil_setTime", List.of(System.currentTimeMillis() / 1000));
      long after = l1.blockNumber();
      return String.format(
          "blocks #%d..#%d dropped (depth %d); L1 mines a new branch from #%d",
          after + 1, before, before - after, after);
    }

    @Override
    public long l2Head() {
      return l2Reader.blockNumber();
    }

    @Override
    public long l2Timestamp(long height) {
      return l2Reader.byNumber(height).map(h -> h.timestamp()).orElse(-1L);
    }

    @Override
    public boolean finalizedOnL1(long height) {
      return contracts.isFinalized(rollupId(), height);
    }

    @Override
    public String l2BlockHash(long height) {
      return l2Reader
          .byNumber(height)
          .map(org.avsnode.operator.chain.BlockHeader::hash)
          .orElse(null);
    }

    @Override
    public long slashingEventsOnL1() {
      // slashes only: the coordinator's other events (the SQUAD inbox's registration) are not
      Object logs =
          l1.rawCall(
              "eth_getLogs",
              List.of(
                  Map.of(
                      "fromBlock",
                      "0x0",
                      "toBlock",
                      "latest",
                      "address",
                      deployment.contracts().slashingCoordinator(),
                      "topics",
                      List.of(
                          org.web3j.abi.EventEncoder.encode(
                              org.avsnode.contracts.bindings.SlashingCoordinator
                                  .EQUIVOCATIONSLASHED_EVENT)))));
      return logs instanceof List<?> l ? l.size() : -1;
    }

    @Override
    public long aggregatorEquivocationsSeen() {
      long sum = 0;
      for (DevnetOperator o : operators) {
        String text = o.aggregator ? metrics(o.index) : null;
        if (text == null) {
          continue;
        }
        for (String line : text.split("\n")) {
          if (line.startsWith("avs_mach_equivocation_evidence_total")
              && line.contains("outcome=\"seen\"")) {
            sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          }
        }
      }
      return sum;
    }

    @Override
    public String metrics(int op) {
      try {
        return metricsClient
            .send(
                java.net.http.HttpRequest.newBuilder(
                        URI.create(operators.get(op).apiUrl() + "/metrics"))
                    .timeout(Duration.ofSeconds(3))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
      } catch (java.io.IOException e) {
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }

    @Override
    public int thresholdBps() {
      return options.thresholdBps();
    }
  }

  /** The chaos report, checked and written once every process is stopped; null without chaos. */
  Chaos.Report finishChaos() throws IOException {
    if (chaosReport == null) {
      return null;
    }
    List<ProcessHandle> handles = new ArrayList<>(started);
    for (AnvilProcess a : processes()) {
      handles.add(a.processHandle());
    }
    chaosReport.processesStarted = handles.size();
    chaosReport.processesLeft.addAll(stillRunning(handles));
    Path file = options.dataDir().resolve("chaos-report.json");
    chaosReport.write(file);
    printChaos(chaosReport, file);
    return chaosReport;
  }

  /**
   * The pids of the processes among {@code handles} that are still running. Asks each handle, never
   * {@code ProcessHandle.of(pid)}: after thousands of processes on a busy machine a pid is reused,
   * and a new process under an old pid is not one the devnet left behind.
   */
  static List<Long> stillRunning(List<ProcessHandle> handles) {
    List<Long> out = new ArrayList<>();
    for (ProcessHandle h : handles) {
      if (h.isAlive()) {
        out.add(h.pid());
      }
    }
    return out;
  }

  private void printChaos(Chaos.Report r, Path file) {
    long faultRequests = r.requestsFaulted.values().stream().mapToLong(Long::longValue).sum();
    say(
        "chaos     %d kills survived (%d of aggregators; %d restarts failed at start and were"
            + " retried), %d RPC faults injected (%d requests hit), %d L1 reorgs",
        r.kills.size(),
        r.kills.stream().filter(Chaos.Kill::aggregator).count(),
        r.kills.stream().mapToInt(k -> k.failedStarts().size()).sum(),
        r.faults.size(),
        faultRequests,
        r.reorgs.size());
    say(
        "chaos     heights #%d..#%d: %d of %d certified (verified certificates), %d finalized on"
            + " L1; %d uncertified, each listed with its reason in the report; %d certified a"
            + " block the L2 chain no longer has at that height",
        r.firstHeight,
        r.lastHeight,
        r.certified,
        r.heights,
        r.finalizedOnL1,
        r.uncertified.size(),
        r.certifiedBlockNotInL2Chain.size());
    say(
        "chaos     recovery after a kill (kill to next signed attestation): p50 %s ms, p99 %s ms;"
            + " restart to signing: p50 %s ms, p99 %s ms",
        r.recoveryFromKillMillis.getOrDefault("p50", -1L),
        r.recoveryFromKillMillis.getOrDefault("p99", -1L),
        r.recoveryFromRestartMillis.getOrDefault("p50", -1L),
        r.recoveryFromRestartMillis.getOrDefault("p99", -1L));
    say(
        "chaos     double signatures: %d (witness saw %d attestations, %d distinct); slashing"
            + " events on L1: %d; operator RSS max %d MB (bound %d MB); processes left: %d of %d",
        r.doubleSignatures.size(),
        r.attestationsReceived,
        r.attestationsDistinct,
        r.slashingEventsOnL1,
        r.maxRssMb,
        r.rssBoundMb,
        r.processesLeft.size(),
        r.processesStarted);
    say("chaos     aggregator intake by outcome (all processes): %s", r.aggregatorIntake);
    if (r.squad != null) {
      Chaos.Report.SquadOutcome q = r.squad;
      say(
          "chaos     SQUAD: %d slots committed on L1 (%d by a backup); %d of %d preconfirmed"
              + " transactions old enough to judge are in committed L2 blocks (%d in all); forced"
              + " transactions: %d queued, %d included; %d of %d in the L1 queue old enough to"
              + " judge are in committed L2 blocks",
          q.slotsCommitted(),
          q.slotsByBackup(),
          q.landed(),
          q.judged(),
          q.preconfirmed(),
          q.forcedQueued(),
          q.forcedIncluded(),
          q.forcedJudged() - q.forcedMissingCount(),
          q.forcedJudged());
    }
    List<String> f = r.failures();
    say(
        "chaos     %s; report in %s",
        f.isEmpty() ? "PASSED every check" : "FAILED: " + String.join("; ", f), file);
  }

  /**
   * Operators as processes report nothing to this JVM: the console reads the outcome where a rollup
   * would, from the finality oracle on L1.
   */
  private void watchFinality() {
    try {
      // the heights around the newest finalized one (with every height submitted a height may
      // take a submit-grace longer when its aggregator of record is down), and the oracle's
      // newest (with the cadence, finalized heights lie L1 blocks apart)
      long newest =
          progress.finalizedOnChain.isEmpty()
              ? progress.firstWatchedHeight
              : progress.finalizedOnChain.last();
      java.util.SortedSet<Long> candidates = new java.util.TreeSet<>();
      for (long n = Math.max(progress.firstWatchedHeight, newest - 16); n <= newest + 16; n++) {
        candidates.add(n);
      }
      contracts.latestFinalized(rollupId()).ifPresent(f -> candidates.add(f.l2BlockNumber()));
      for (long n : candidates) {
        if (!progress.finalizedOnChain.contains(n) && contracts.isFinalized(rollupId(), n)) {
          progress.finalizedOnChain.add(n);
          say("on-chain  L2 #%-5d finalized on L1 (read from the finality oracle)", n);
        }
      }
    } catch (RuntimeException e) {
      // L1 busy or restarting: try again next second
    }
  }

  long rollupId() {
    return Deployer.Config.devnet().rollupId();
  }

  /** Stops one operator's node (fault injection; the acceptance test's failover check). */
  void stopOperator(int index, String why) {
    DevnetOperator op = operators.get(index);
    if (!op.running()) {
      return;
    }
    op.stop();
    say(
        "fault     %s stopped (%s)%s",
        op.name(),
        why,
        op.aggregator
            ? "; the other aggregator completes the certificates after its grace period"
            : "");
  }

  /**
   * Stops one operator's aggregator role; the operator keeps signing (stopping the whole node as
   * well would, with 2 of 8 offline, leave 5 of 8 signers: below 2/3).
   */
  void stopAggregator(int index, String why) {
    DevnetOperator op = operators.get(index);
    if (op.process != null) {
      op.kill();
      say(
          "fault     %s killed with SIGKILL (%s); the other aggregator completes its heights after"
              + " the grace period",
          op.name(), why);
      return;
    }
    MachDuty d = op.duty;
    if (d == null || !op.aggregator) {
      return;
    }
    d.stopAggregatorRole();
    say(
        "fault     aggregator of %s stopped (%s); the other aggregator completes its heights after"
            + " the grace period",
        op.name(), why);
  }

  // ---------------------------------------------------------------- accessors

  Deployment deployment() {
    return deployment;
  }

  L1Client l1() {
    return l1;
  }

  Eip712Domain domain() {
    return domain;
  }

  MachContracts contracts() {
    return contracts;
  }

  Progress progress() {
    return progress;
  }

  List<DevnetOperator> operators() {
    return List.copyOf(operators);
  }

  Optional<DevnetOperator> equivocatingOperator() {
    return Optional.ofNullable(equivocatorOp);
  }

  long equivocationHeight() {
    return equivocator == null ? -1 : equivocator.equivocatedAt;
  }

  long startEpoch() {
    return startEpoch;
  }

  String l1RpcUrl() {
    return l1Anvil.rpcUrl();
  }

  String l2RpcUrl() {
    return l2Anvil.rpcUrl();
  }

  List<AnvilProcess> processes() {
    List<AnvilProcess> out = new ArrayList<>();
    if (l1Anvil != null) {
      out.add(l1Anvil);
    }
    if (l2Anvil != null) {
      out.add(l2Anvil);
    }
    return out;
  }

  // ---------------------------------------------------------------- summary and stop

  void printSummary() {
    if (chaos != null) {
      chaos.stopInjecting();
      chaosReport = chaos.report();
      if (squadWallets != null) {
        chaosReport.squad = squadOutcome();
      }
      if (l2Driver != null) {
        watchVerdicts();
        chaosReport.vital =
            new Chaos.Report.VitalOutcome(
                l2Driver.outputsProposed.get(),
                l2Driver.badOutputs.size(),
                goodOutputsInvalidated());
      }
    }
    double secs = (System.nanoTime() - startNanos) / 1e9;
    say(
        "summary   ran %.0fs with %d operators (%d offline%s), %d aggregator(s)",
        secs,
        options.operators(),
        options.offline(),
        options.equivocate() ? ", 1 equivocating" : "",
        options.aggregators());
    if (!options.operatorProcesses()) {
      printInProcessSummary();
    } else {
      say(
          "summary   %d L2 blocks finalized on L1 by the operator processes (read from the"
              + " finality oracle); their logs are in %s/op*/operator.log",
          progress.finalizedOnChain.size(), options.dataDir());
    }
    if (l2Driver != null) {
      say(
          "summary   L2: %d transactions sent, %d output roots proposed on L1",
          l2Driver.l2Txs.get(), l2Driver.outputsProposed.get());
      if (squadWallets != null) {
        long byBackup = progress.squadSlots.values().stream().filter(k -> k > 0 && k < 255).count();
        say(
            "summary   SQUAD: %d slots committed on L1 (%d by a backup), %d transactions"
                + " preconfirmed through the operators' endpoints, %d refused; %d forced"
                + " transactions queued on L1, %d included%s",
            progress.squadSlots.size(),
            byBackup,
            squadWallets.accepted.get(),
            squadWallets.refused.get(),
            progress.forcedQueued.get(),
            progress.forcedIncluded.get(),
            (brokenPreconf == null
                    ? ""
                    : brokenPreconfSlashed
                        ? "; the broken preconfirmation was slashed"
                        : "; the broken preconfirmation was NOT slashed (yet)")
                + (doubleProposal == null
                    ? ""
                    : doubleProposalSlashed
                        ? "; the double proposal was slashed"
                        : "; the double proposal was NOT slashed (yet)"));
      }
      watchVerdicts();
      long bad = l2Driver.badOutputs.size();
      long badInvalidated =
          l2Driver.badOutputs.stream().filter(progress.invalidatedOnChain::contains).count();
      long goodInvalidated = goodOutputsInvalidated().size();
      long goodValidated =
          progress.validatedOnChain.stream().filter(i -> !l2Driver.badOutputs.contains(i)).count();
      say(
          "summary   VITAL: %d outputs posted, %d with a wrong root: %d of those invalidated on L1;"
              + " %d good outputs validated on L1; good outputs invalidated: %d",
          l2Driver.outputsProposed.get(), bad, badInvalidated, goodValidated, goodInvalidated);
      if (l2Driver.gamesCreated.get() > 0) {
        say(
            "summary   VITAL games (rollup %d, dispute game factory): %d created, %d with a wrong"
                + " root claim: %d of those invalidated on L1; %d good games validated; good games"
                + " invalidated: %d",
            gameRollupId(),
            l2Driver.gamesCreated.get(),
            l2Driver.badGames.size(),
            l2Driver.badGames.stream().filter(progress.gamesInvalidatedOnChain::contains).count(),
            progress.gamesValidatedOnChain.stream()
                .filter(i -> !l2Driver.badGames.contains(i))
                .count(),
            progress.gamesInvalidatedOnChain.stream()
                .filter(i -> !l2Driver.badGames.contains(i))
                .count());
      }
      if (!options.operatorProcesses()) {
        writeVitalBench();
      }
    }
    if (zkRollup != null) {
      watchZk();
      ZkRollup z = zkRollup;
      long wrong = z.committed.values().stream().filter(ZkRollup.Committed::wrongRoot).count();
      long wrongInvalidated =
          z.committed.values().stream()
              .filter(c -> c.wrongRoot() && Boolean.TRUE.equals(z.decided.get(c.commitmentIndex())))
              .count();
      long validated = z.decided.values().stream().filter(v -> !v).count();
      say(
          "summary   ZK rollup %d: %d commitments (%d with a wrong root: %d invalidated on L1), %d"
              + " validated on L1; %d published proofs were bad, %d of them never validated;"
              + " commitment to VALID record p50 %s, p99 %s; gas commitBatch %s, submitProof %s,"
              + " verifyBatch %s%s",
          ZkRollup.ROLLUP_ID,
          z.committed.size(),
          wrong,
          wrongInvalidated,
          validated,
          z.badProofs.size(),
          z.badProofsCaught(),
          z.percentile(0.5).map(ms -> String.format("%.1f s", ms / 1000.0)).orElse("-"),
          z.percentile(0.99).map(ms -> String.format("%.1f s", ms / 1000.0)).orElse("-"),
          z.gasUsed.getOrDefault("commitBatch", BigInteger.ZERO),
          z.gasUsed.getOrDefault("submitProof", BigInteger.ZERO),
          z.gasUsed.getOrDefault("verifyBatch", BigInteger.ZERO),
          zkPlanter == null
              ? ""
              : "; the planted INVALID on a good commitment was "
                  + (zkPlantSlashed ? "slashed" : "NOT slashed (yet)")
                  + ", the planted VALID on a wrong root was "
                  + (z.plantedValidOn == null
                      ? "not planted (no wrong root yet)"
                      : zkPlantValidSlashed ? "slashed" : "NOT slashed (yet)"));
      try {
        z.writeBench(options.dataDir().resolve("zk-bench.json"), options.operators());
      } catch (IOException e) {
        say("summary   zk-bench.json not written: %s", e.getMessage());
      }
    }
    printSlashingSummary();
  }

  /** The VITAL benchmark's report (vital-bench.json/.md) and its one-line summary. */
  private void writeVitalBench() {
    Map<String, long[]> requests = new LinkedHashMap<>();
    for (DevnetOperator op : operators) {
      if (op.runtime == null) {
        continue;
      }
      String m = scrapeMetrics(op);
      requests.put(
          op.name(),
          new long[] {
            metric(m, "avs_vital_l2_requests_total{purpose=\"head\""),
            metric(m, "avs_vital_l2_requests_total{purpose=\"output\""),
            metric(m, "avs_vital_l1_requests_total"),
            metric(m, "avs_vital_outputs_checked_total")
          });
    }
    try {
      Map<String, Object> r =
          vitalBench.write(
              options.dataDir(),
              tx -> {
                try {
                  return l1.web3j()
                      .ethGetTransactionReceipt(tx)
                      .send()
                      .getTransactionReceipt()
                      .map(x -> x.getBlockNumber().longValueExact())
                      .orElse(-1L);
                } catch (Exception e) {
                  return -1L;
                }
              },
              requests,
              "./operator devnet --operators "
                  + options.operators()
                  + (options.badOutput() > 0 ? " --bad-output " + options.badOutput() : "")
                  + (options.lyingL2() > 0 ? " --lying-l2 " + options.lyingL2() : ""));
      say(
          "summary   VITAL latency: log seen → local verdict p99 %s ms; proposal mined →"
              + " certificate p50 %s ms, → invalidation on L1 p99 %s L1 blocks; details in %s",
          pct(r, "discoveryToLocalVerdictMillis", "p99"),
          pct(r, "minedToCertificateMillis", "p50"),
          pct(r, "l1BlocksToInvalidation", "p99"),
          options.dataDir().resolve("vital-bench.md"));
    } catch (java.io.IOException | RuntimeException e) {
      say("summary   VITAL benchmark not written: %s", e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  private static String pct(Map<String, Object> r, String key, String which) {
    Map<String, Long> p = (Map<String, Long>) r.get(key);
    return p == null || !p.containsKey(which) ? "–" : String.format("%,d", p.get(which));
  }

  /**
   * One client for the summary's scrapes, with a connect timeout: a request's own timeout does not
   * cover the connect, which an overloaded devnet (64 operators on 2 cores) can leave hanging for
   * minutes per operator.
   */
  private static final java.net.http.HttpClient SCRAPER =
      java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static String scrapeMetrics(DevnetOperator op) {
    try {
      return SCRAPER
          .send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(op.apiUrl() + "/metrics"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (Exception e) {
      return "";
    }
  }

  /** The value of the first sample line starting with {@code prefix} (0 when absent). */
  static long metric(String text, String prefix) {
    for (String line : text.split("\n")) {
      if (line.startsWith(prefix)) {
        String v = line.substring(line.lastIndexOf(' ') + 1);
        try {
          return (long) Double.parseDouble(v);
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  /**
   * The L1 cost of finality per L2 block: every submission's gas (duplicates included: they were
   * paid for) after the first, over the L2 blocks from the first finalized height to the last (the
   * first submission covers the blocks before the run, so it is left out).
   */
  String amortizedLine(List<Progress.Submission> all) {
    List<Progress.Submission> subs;
    synchronized (all) {
      subs = new ArrayList<>(all);
    }
    subs.sort(java.util.Comparator.comparingLong(Progress.Submission::height));
    java.util.LongSummaryStatistics heights =
        subs.stream()
            .filter(Progress.Submission::accepted)
            .mapToLong(Progress.Submission::height)
            .summaryStatistics();
    long first = heights.getCount() == 0 ? -1 : heights.getMin();
    long last = heights.getCount() == 0 ? -1 : heights.getMax();
    String cadence =
        options.submitEveryL1Blocks() == 0
            ? "every certified block submitted"
            : "latest certified block submitted every "
                + options.submitEveryL1Blocks()
                + " L1 blocks";
    if (first < 0 || last <= first) {
      return "L1 gas per finalized L2 block: - (fewer than two finalizations; " + cadence + ")";
    }
    BigInteger gas = BigInteger.ZERO;
    boolean skippedFirst = false;
    for (Progress.Submission s : subs) {
      if (!skippedFirst && s.accepted() && s.height() == first) {
        skippedFirst = true;
        continue;
      }
      gas = gas.add(s.gasUsed());
    }
    long blocks = last - first;
    return String.format(
        "L1 gas per finalized L2 block: %,d amortized (%,d gas over L2 #%d..#%d, %d blocks; %s)",
        gas.divide(BigInteger.valueOf(blocks)), gas, first + 1, last, blocks, cadence);
  }

  private void printInProcessSummary() {
    long accepted = progress.submissions.stream().filter(Progress.Submission::accepted).count();
    long duplicates = progress.submissions.size() - accepted;
    BigInteger gas = BigInteger.ZERO;
    for (Progress.Submission s : progress.submissions) {
      if (s.accepted()) {
        gas = gas.add(s.gasUsed());
      }
    }
    String perBlock = amortizedLine(progress.submissions);
    say(
        "summary   %d attestations signed, %d certificates, latency p50 %d ms / p99 %d ms (L2 block"
            + " arrival to certificate)",
        progress.attestations.get(),
        progress.firstCertificates.size(),
        progress.percentileMillis(50),
        progress.percentileMillis(99));
    say(
        "summary   %d blocks finalized on L1 (avg gas %s), %d duplicate submissions, %d failed,"
            + " %d signatures refused by slashing protection",
        accepted,
        accepted == 0 ? "-" : String.format("%,d", gas.divide(BigInteger.valueOf(accepted))),
        duplicates,
        progress.failedSubmissions.get(),
        progress.refusals.get());
    say("summary   %s", perBlock);
    if (progress.vitalRefusals.get() > 0) {
      say(
          "summary   MACH did not attest %d blocks (all operators) past outputs VITAL found"
              + " invalid",
          progress.vitalRefusals.get());
    }
  }

  private void printSlashingSummary() {
    if (contradictorOp != null && l1 != null) {
      say(
          "summary   contradicting %s %s: %s",
          contradictorOp.name(),
          contradictorOp.address(),
          contradictionSlashed()
              ? "SLASHED on chain for output #"
                  + contradictor.contradictedOutput
                  + " (evidence recorded once)"
              : "not slashed");
      if (contradictor.attestedInvalidOutput != null) {
        say(
            "summary   %s attested to invalidated output #%s: %s",
            contradictorOp.name(),
            contradictor.attestedInvalidOutput,
            invalidOutputAttestationSlashed()
                ? "SLASHED on chain (MACH attestation to an invalidated output, evidence recorded"
                    + " once)"
                : "not slashed");
      }
    }
    if (equivocatorOp != null && l1 != null) {
      try {
        long e = contracts.currentEpoch();
        long h = equivocationHeight();
        boolean used =
            h >= 0
                && contracts.evidenceUsed(
                    MachContracts.address(equivocatorOp.address()), rollupId(), h);
        BigInteger before = equivocatorStakeBefore;
        BigInteger now = stakeOf(equivocatorOp, e);
        BigInteger next = stakeOf(equivocatorOp, e + 1);
        String stake;
        if (before == null) {
          stake = String.format("stake %s tokens at epoch %d", StakeView.tokens(now), e);
        } else {
          BigInteger cut = before.subtract(next);
          stake =
              String.format(
                  "stake %s tokens before the slash → %s tokens from epoch %d (%s%s tokens%s)",
                  StakeView.tokens(before),
                  StakeView.tokens(next),
                  e + 1,
                  cut.signum() > 0 ? "−" : "",
                  StakeView.tokens(cut.abs()),
                  before.signum() == 0
                      ? ""
                      : String.format(
                          ", %s%%",
                          new java.math.BigDecimal(cut)
                              .multiply(java.math.BigDecimal.valueOf(100))
                              .divide(
                                  new java.math.BigDecimal(before),
                                  1,
                                  java.math.RoundingMode.HALF_UP)
                              .toPlainString()));
        }
        say(
            "summary   equivocating %s %s: %s; %s",
            equivocatorOp.name(),
            equivocatorOp.address(),
            used ? "SLASHED on chain (evidence recorded once)" : "not slashed",
            stake);
      } catch (RuntimeException ex) {
        say("summary   could not read the slashing outcome: %s", ex.getMessage());
      }
    }
  }

  /** Whether the contradicting operator was slashed for attesting to an invalidated output. */
  boolean invalidOutputAttestationSlashed() {
    BigInteger index = contradictor == null ? null : contradictor.attestedInvalidOutput;
    return index != null
        && evidenceUsed(
            c ->
                c.machInvalidOutputEvidenceKey(
                    contradictorOp.address(), BigInteger.valueOf(rollupId()), index));
  }

  /** The invalidated output the contradicting operator attested to, once it did. */
  BigInteger invalidOutputAttested() {
    return contradictor == null ? null : contradictor.attestedInvalidOutput;
  }

  /** Whether the contradicting operator's evidence was used on L1. */
  boolean contradictionSlashed() {
    if (contradictor == null || contradictor.contradictedOutput == null) {
      return false;
    }
    return evidenceUsed(
        c ->
            c.vitalEvidenceKey(
                contradictorOp.address(),
                BigInteger.valueOf(rollupId()),
                contradictor.contradictedOutput,
                contradictor.contradictedRoot));
  }

  /**
   * Whether the slashing coordinator has used the evidence key {@code key} names (false on error).
   */
  private boolean evidenceUsed(
      java.util.function.Function<
              org.avsnode.contracts.bindings.SlashingCoordinator,
              org.web3j.protocol.core.RemoteFunctionCall<byte[]>>
          key) {
    try {
      var coord =
          org.avsnode.contracts.bindings.SlashingCoordinator.load(
              deployment.contracts().slashingCoordinator(), l1.web3j(), tm(deployer), gas());
      return coord.evidenceUsed(key.apply(coord).send()).send();
    } catch (Exception e) {
      return false;
    }
  }

  /** The output the contradicting operator signed both verdicts for, once it did. */
  BigInteger contradictedOutput() {
    return contradictor == null ? null : contradictor.contradictedOutput;
  }

  Optional<DevnetOperator> contradictingOperator() {
    return Optional.ofNullable(contradictorOp);
  }

  BigInteger stakeOf(DevnetOperator op, long epoch) {
    return contracts.stakeOf(op.address(), epoch);
  }

  @Override
  public void close() {
    faults.shutdownNow();
    if (chaos != null) {
      chaos.close(); // no kill or restart races the stop below
    }
    List<Thread> stops = new ArrayList<>();
    for (DevnetOperator op : operators) {
      Thread t = new Thread(op::stop, "devnet-stop-" + op.name());
      t.start();
      stops.add(t);
    }
    for (Thread t : stops) {
      try {
        t.join(20_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        // keep stopping the rest
      }
    }
  }

  /**
   * A consumer (a new funded account) asks for L2 block {@code height} on L1 with
   * FinalityOracle.requestFinality, as a bridge would; returns the mined transaction's hash.
   */
  String requestFinality(long height) throws Exception {
    Credentials consumer = newFundedAccount();
    var r =
        org.avsnode.contracts.bindings.FinalityOracle.load(
                deployment.contracts().finalityOracle(), l1.web3j(), tm(consumer), gas())
            .requestFinality(BigInteger.valueOf(rollupId()), BigInteger.valueOf(height))
            .send();
    check(r.isStatusOK(), "requestFinality");
    say("consumer  requested finality of L2 #%d on L1 (FinalityOracle.requestFinality)", height);
    return r.getTransactionHash();
  }

  // ---------------------------------------------------------------- helpers

  private Credentials newFundedAccount() throws IOException {
    Credentials c;
    try {
      c = Credentials.create(Keys.createEcKeyPair(RANDOM));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    l1.rawCall("anvil_setBalance", List.of(c.getAddress(), "0x3635c9adc5dea00000"));
    return c;
  }

  private TransactionManager tm(Credentials c) {
    return Chain.transactionManager(l1.web3j(), c, L1_CHAIN_ID, 20);
  }

  private ContractGasProvider gas() {
    return Chain.gasProvider(l1.web3j(), Chain.DEFAULT_GAS_LIMIT);
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException(what + " reverted");
    }
  }

  /** The aggregators' node API URLs. */
  List<URI> aggregatorUrls() {
    return aggregatorUrls;
  }

  /** The URL of the devnet's status page (every operator). */
  String statusUrl() {
    return statusServer.url();
  }

  /** The operators as the status page lists them. */
  private List<DevnetStatusServer.NodeRef> statusNodes() {
    List<DevnetOperator> ops;
    try {
      ops = List.copyOf(operators);
    } catch (java.util.ConcurrentModificationException e) {
      return List.of(); // still being created: the page asks again
    }
    List<DevnetStatusServer.NodeRef> out = new ArrayList<>();
    for (DevnetOperator op : ops) {
      String notRunning = null;
      if (op.index >= firstOnlineEnd()) {
        notRunning = "offline (--offline): registered, never signs";
      } else if (op.runtime == null && (op.process == null || !op.process.isAlive())) {
        notRunning = "not running";
      }
      out.add(
          new DevnetStatusServer.NodeRef(
              op.index, op.name(), notRunning == null ? op.apiUrl() : null, notRunning));
    }
    return out;
  }

  private void say(String format, Object... args) {
    progress.println(String.format(format, args));
  }
}
