package org.avsnode.operator.app.devnet;

import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.OutputVerdict;
import org.avsnode.contracts.bindings.SlashingCoordinator;
import org.avsnode.contracts.bindings.VerdictOracle;
import org.avsnode.contracts.bindings.ZkBatchProposer;
import org.avsnode.operator.l2.L2Client;
import org.avsnode.operator.quorum.SignedMessage;
import org.avsnode.toolchain.AnvilProcess;
import org.avsnode.toolchain.ZkProver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.ContractGasProvider;

/**
 * The devnet's validity (ZK) rollup, beside the optimistic one: its own L2 anvil, and on L1 a
 * {@code ZkBatchProposer} whose batches are verified only through the Groth16 verifier {@code
 * zk/build.sh} generated from {@code zk/circuits/batch.circom}. This class plays the rollup's
 * sequencer (it commits a batch of {@link #BATCH_BLOCKS} L2 blocks at a time: new state root, last
 * block hash, keccak256 of the batch's transaction hashes) and its prover (a {@link ZkProver}
 * process proves each batch, publishes the proof for the operators with {@code submitProof} and
 * verifies the batch on L1 with {@code verifyBatch}).
 *
 * <p>The circuit proves no execution (it range-checks the public inputs), so soundness is modelled
 * here: the prover proves a batch only when the commitment matches its own L2 node. Its faults:
 *
 * <ul>
 *   <li>{@code badStateRootEvery} K: every K-th batch is committed with a wrong state root; no
 *       proof exists for it; the operators' INVALID certificate goes on L1, then the sequencer
 *       withdraws the batch ({@code revertBatch}) and commits it again with the right root;
 *   <li>{@code badProofEvery} K: the proof published for every K-th batch has tampered bytes;
 *   <li>{@code unboundProofEvery} K: the proof published for every K-th batch is valid, for other
 *       public inputs (another transactions commitment);
 * </ul>
 *
 * For the last two the batch is still verified on L1 with the right proof, which is not published:
 * the operators see only the bad one, so they reject it and abstain at the proof deadline. {@code
 * plantWrongVerdict}: the devnet signs, with one operator's raw key (as a broken node would), an
 * INVALID verdict on the first good commitment and a VALID verdict on the first wrong root, and
 * sends them to the aggregators; once a proof contradicts each (the good commitment's own, the
 * proof of the batch committed again) the aggregators submit the evidence and each is slashed once.
 */
final class ZkRollup implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ZkRollup.class);

  static final long ROLLUP_ID = 44;
  static final long L2_CHAIN_ID = 42070;

  /** L2 blocks per batch. */
  static final int BATCH_BLOCKS = 4;

  /** How long the devnet's operators wait for a proof that verifies (their proof-deadline). */
  static final Duration PROOF_DEADLINE = Duration.ofSeconds(30);

  /** Faults and the planted verdict. */
  record Faults(
      int badStateRootEvery, int badProofEvery, int unboundProofEvery, boolean plantWrongVerdict) {
    static final Faults NONE = new Faults(0, 0, 0, false);

    boolean any() {
      return badStateRootEvery > 0
          || badProofEvery > 0
          || unboundProofEvery > 0
          || plantWrongVerdict;
    }
  }

  /** What the sequencer committed. */
  record Committed(
      BigInteger commitmentIndex,
      long batchNumber,
      long firstBlock,
      long lastBlock,
      byte[] root,
      boolean wrongRoot,
      long committedAtMillis) {}

  private final Faults faults;
  private final Progress progress;
  private final Web3j l1;
  private final Function<Credentials, TransactionManager> tms;
  private final ContractGasProvider gas;
  private final ScheduledExecutorService timer =
      Executors.newScheduledThreadPool(
          2, org.avsnode.operator.time.DaemonThreads.named("devnet-zk-rollup"));

  private AnvilProcess l2Anvil;
  private Web3j l2;
  private L2Client l2Client;
  private ZkProver prover;
  private ZkBatchProposer asSequencer;
  private ZkBatchProposer asProver;
  private VerdictOracle verdictOracle;
  private List<String> l2Accounts;
  private int turn;

  /** Commitments by index, as committed. */
  final Map<BigInteger, Committed> committed = new ConcurrentSkipListMap<>();

  /** Batches whose wrong root was already committed once (committed right the second time). */
  private final Set<Long> faultedBatches = ConcurrentHashMap.newKeySet();

  /** The commitment with a wrong root waiting for its INVALID record, or null. */
  private volatile Committed pendingWrong;

  private long lastCommittedBlock;
  private long lastProvenBatch;

  /** Commitment indexes whose published proof was bad, tampered or unbound (fault kind). */
  final Map<BigInteger, String> badProofs = new ConcurrentHashMap<>();

  /** Decided on L1 by the operators' verdict certificates: index → true when invalidated. */
  final Map<BigInteger, Boolean> decided = new ConcurrentSkipListMap<>();

  /** Milliseconds from a commitment's L1 receipt to its VALID record on L1. */
  final List<Long> validLatencies = java.util.Collections.synchronizedList(new ArrayList<>());

  final Map<String, BigInteger> gasUsed = new ConcurrentHashMap<>();

  /** The good commitment the planted INVALID verdict names, once planted. */
  volatile BigInteger plantedOn;

  /** The commitment with a wrong root the planted VALID verdict names, once planted. */
  volatile BigInteger plantedValidOn;

  ZkRollup(
      Faults faults,
      Progress progress,
      Web3j l1,
      Function<Credentials, TransactionManager> tms,
      ContractGasProvider gas) {
    this.faults = faults;
    this.progress = progress;
    this.l1 = l1;
    this.tms = tms;
    this.gas = gas;
  }

  /**
   * Starts the L2 and the prover process, deploys the verifier and the proposer, and registers the
   * rollup with the verdict oracle and the slashing coordinator ({@code owner} owns both).
   */
  void start(
      Path dataDir,
      Credentials owner,
      Credentials sequencer,
      Credentials proverAccount,
      String verdictOracleAddress,
      String slashingCoordinatorAddress,
      Duration l2BlockTime)
      throws Exception {
    Path zk = ZkProver.artifactsDir();
    l2Anvil =
        AnvilProcess.builder()
            .chainId(L2_CHAIN_ID)
            .blockTime(l2BlockTime)
            .logFile(dataDir.resolve("l2-zk-anvil.log"))
            .start();
    l2 = Web3j.build(new HttpService(l2Anvil.rpcUrl()));
    l2Client = new L2Client(URI.create(l2Anvil.rpcUrl()), Duration.ofSeconds(5));
    l2Accounts = l2.ethAccounts().send().getAccounts();
    prover = ZkProver.start(zk, Duration.ofSeconds(60));
    TransactionManager ownerTm = tms.apply(owner);
    var created =
        ownerTm.sendTransaction(
            BigInteger.ZERO,
            BigInteger.valueOf(3_000_000),
            null,
            "0x" + ZkProver.verifierBytecode(zk),
            BigInteger.ZERO,
            true);
    TransactionReceipt vr =
        new org.web3j.tx.response.PollingTransactionReceiptProcessor(l1, 200, 150)
            .waitForTransactionReceipt(created.getTransactionHash());
    if (!vr.isStatusOK()) {
      throw new IllegalStateException("the Groth16 verifier's deployment reverted");
    }
    byte[] genesis = l2Client.block(0).orElseThrow().stateRoot();
    ZkBatchProposer deployed =
        ZkBatchProposer.deploy(
                l1,
                ownerTm,
                gas,
                BigInteger.valueOf(ROLLUP_ID),
                sequencer.getAddress(),
                proverAccount.getAddress(),
                vr.getContractAddress(),
                genesis)
            .send();
    String address = deployed.getContractAddress();
    asSequencer = ZkBatchProposer.load(address, l1, tms.apply(sequencer), gas);
    asProver = ZkBatchProposer.load(address, l1, tms.apply(proverAccount), gas);
    verdictOracle = VerdictOracle.load(verdictOracleAddress, l1, ownerTm, gas);
    verdictOracle.registerZkRollup(BigInteger.valueOf(ROLLUP_ID), address).send();
    SlashingCoordinator.load(slashingCoordinatorAddress, l1, ownerTm, gas)
        .setZkProposer(BigInteger.valueOf(ROLLUP_ID), address)
        .send();
    progress.println(
        String.format(
            "devnet: ZK rollup %d: L2 anvil chain %d at %s (pid %d); ZkBatchProposer %s with the"
                + " Groth16 verifier %s (generated by snarkjs from zk/circuits/batch.circom);"
                + " prover pid %d; a batch every %d L2 blocks",
            ROLLUP_ID,
            L2_CHAIN_ID,
            l2Anvil.rpcUrl(),
            l2Anvil.pid(),
            address,
            vr.getContractAddress(),
            prover.pid(),
            BATCH_BLOCKS));
    timer.scheduleWithFixedDelay(this::sequence, 500, 500, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(this::prove, 700, 500, TimeUnit.MILLISECONDS);
  }

  String l2Url() {
    return l2Anvil.rpcUrl();
  }

  String proposer() {
    return asSequencer.getContractAddress();
  }

  long l2Pid() {
    return l2Anvil.pid();
  }

  long proverPid() {
    return prover.pid();
  }

  // ---------------------------------------------------------------- the sequencer

  private void sequence() {
    try {
      traffic();
      Committed wrong = pendingWrong;
      if (wrong != null) {
        withdrawWhenInvalidated(wrong);
        return;
      }
      long head = l2Client.blockNumber();
      long first = lastCommittedBlock + 1;
      long last = first + BATCH_BLOCKS - 1;
      if (head < last) {
        return;
      }
      Rebuilt r = rebuild(first, last);
      long batch = asSequencer.lastCommittedBatch().send().longValueExact() + 1;
      boolean wrongRoot =
          faults.badStateRootEvery() > 0
              && batch % faults.badStateRootEvery() == 0
              && faultedBatches.add(batch);
      byte[] root = wrongRoot ? Hash.sha3(r.newStateRoot()) : r.newStateRoot();
      TransactionReceipt receipt =
          asSequencer
              .commitBatch(
                  BigInteger.valueOf(batch),
                  root,
                  r.lastBlockHash(),
                  r.txCommitment(),
                  BigInteger.valueOf(last))
              .send();
      var events = ZkBatchProposer.getBatchCommittedEvents(receipt);
      if (!receipt.isStatusOK() || events.isEmpty()) {
        return;
      }
      gasUsed.putIfAbsent("commitBatch", receipt.getGasUsed());
      BigInteger index = events.get(0).commitmentIndex;
      Committed c =
          new Committed(index, batch, first, last, root, wrongRoot, System.currentTimeMillis());
      committed.put(index, c);
      lastCommittedBlock = last;
      progress.println(
          String.format(
              "zk-seq    batch #%d (L2 #%d..#%d) committed as commitment #%s (root %s, gas %,d)%s",
              batch,
              first,
              last,
              index,
              Progress.shortHex(root),
              receipt.getGasUsed(),
              wrongRoot
                  ? "  [WRONG state root: fault --zk-bad-state-root "
                      + faults.badStateRootEvery()
                      + "]"
                  : ""));
      long l1Block = receipt.getBlockNumber().longValueExact();
      if (wrongRoot) {
        pendingWrong = c;
        if (faults.plantWrongVerdict() && plantedValidOn == null && planter != null) {
          // VALID on the wrong root: contradicted once the batch is committed again and proven
          plantedValidOn = index;
          timer.schedule(() -> plant(c, l1Block, true), 1, TimeUnit.SECONDS);
        }
      } else if (faults.plantWrongVerdict() && plantedOn == null && planter != null) {
        // once the aggregators' nodes have seen the commitment (else they answer 503)
        plantedOn = index;
        timer.schedule(() -> plant(c, l1Block, false), 3, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      LOG.debug("zk sequencer: {}", e.toString());
    }
  }

  /**
   * A wrong batch stays until the operators' INVALID certificate is on L1 (or 60 s pass): then it
   * is withdrawn and the sequencer commits the batch again, with the right root.
   */
  private void withdrawWhenInvalidated(Committed wrong) throws Exception {
    boolean invalidated =
        verdictOracle.isInvalidated(BigInteger.valueOf(ROLLUP_ID), wrong.commitmentIndex()).send();
    if (!invalidated && System.currentTimeMillis() - wrong.committedAtMillis() < 60_000) {
      return;
    }
    TransactionReceipt r = asSequencer.revertBatch(BigInteger.valueOf(wrong.batchNumber())).send();
    if (!r.isStatusOK()) {
      return;
    }
    lastCommittedBlock = wrong.firstBlock() - 1;
    pendingWrong = null;
    progress.println(
        String.format(
            "zk-seq    batch #%d withdrawn (revertBatch)%s; it is committed again with the right"
                + " root",
            wrong.batchNumber(),
            invalidated
                ? " after the operators' INVALID certificate on commitment #"
                    + wrong.commitmentIndex()
                : " (no INVALID certificate within 60 s)"));
  }

  /** A few transfers per L2 block on the ZK rollup's L2. */
  private void traffic() throws Exception {
    for (int i = 0; i < 2; i++) {
      String from = l2Accounts.get(turn % l2Accounts.size());
      String to = l2Accounts.get((turn + 3) % l2Accounts.size());
      turn++;
      l2.ethSendTransaction(
              Transaction.createEtherTransaction(
                  from, null, null, null, to, BigInteger.valueOf(7_000_000L + turn)))
          .send();
    }
  }

  record Rebuilt(
      byte[] prevStateRoot, byte[] newStateRoot, byte[] lastBlockHash, byte[] txCommitment) {}

  /** What the batch of blocks first..last is on the ZK L2 (the sequencer's and prover's view). */
  private Rebuilt rebuild(long first, long last) {
    byte[] prev = l2Client.blockTransactions(first - 1).orElseThrow().block().stateRoot();
    List<byte[]> txs = new ArrayList<>();
    L2Client.BlockTransactions lastBlock = null;
    for (long n = first; n <= last; n++) {
      lastBlock = l2Client.blockTransactions(n).orElseThrow();
      txs.addAll(lastBlock.transactionHashes());
    }
    return new Rebuilt(
        prev,
        lastBlock.block().stateRoot(),
        lastBlock.block().hash(),
        org.avsnode.vital.ZkPublicInputs.txCommitment(txs));
  }

  // ---------------------------------------------------------------- the prover

  private final Set<BigInteger> unprovable = ConcurrentHashMap.newKeySet();

  private void prove() {
    try {
      long next = lastProvenBatch + 1;
      BigInteger index = asProver.commitmentOfBatch(BigInteger.valueOf(next)).send();
      if (index.signum() == 0 || unprovable.contains(index)) {
        return; // nothing committed, or a commitment already found not to match the L2
      }
      ZkBatchProposer.Commitment c = asProver.commitment(index).send();
      Rebuilt mine =
          rebuild(c.firstBlockNumber.longValueExact(), c.lastBlockNumber.longValueExact());
      if (!java.util.Arrays.equals(mine.newStateRoot(), c.newStateRoot)
          || !java.util.Arrays.equals(mine.prevStateRoot(), c.prevStateRoot)
          || !java.util.Arrays.equals(mine.lastBlockHash(), c.lastBlockHash)
          || !java.util.Arrays.equals(mine.txCommitment(), c.txCommitment)) {
        if (unprovable.add(index)) {
          progress.println(
              String.format(
                  "zk-prove  commitment #%s (batch #%d) does not match the L2: no proof exists for"
                      + " it",
                  index, next));
        }
        return;
      }
      ZkProver.Proof p =
          prover.prove(
              mine.prevStateRoot(), mine.newStateRoot(), mine.lastBlockHash(), mine.txCommitment());
      List<BigInteger> good = p.words();
      List<BigInteger> published = good;
      String fault = null;
      if (faults.badProofEvery() > 0 && next % faults.badProofEvery() == 0) {
        published = new ArrayList<>(good);
        published.set(0, published.get(0).add(BigInteger.ONE));
        fault = "tampered bytes: fault --zk-bad-proof " + faults.badProofEvery();
      } else if (faults.unboundProofEvery() > 0 && next % faults.unboundProofEvery() == 0) {
        published =
            prover
                .prove(
                    mine.prevStateRoot(),
                    mine.newStateRoot(),
                    mine.lastBlockHash(),
                    Hash.sha3(mine.txCommitment()))
                .words();
        fault =
            "a valid proof of another transactions commitment: fault --zk-unbound-proof "
                + faults.unboundProofEvery();
      }
      TransactionReceipt sr = asProver.submitProof(index, published).send();
      gasUsed.putIfAbsent("submitProof", sr.getGasUsed());
      if (fault != null) {
        badProofs.put(index, fault);
      }
      TransactionReceipt vr = asProver.verifyBatch(BigInteger.valueOf(next), good).send();
      if (!vr.isStatusOK()) {
        return;
      }
      gasUsed.putIfAbsent("verifyBatch", vr.getGasUsed());
      lastProvenBatch = next;
      progress.println(
          String.format(
              "zk-prove  commitment #%s (batch #%d) proven in %d ms; %s published; verifyBatch"
                  + " gas %,d%s",
              index,
              next,
              p.proveMillis(),
              fault == null ? "proof" : "a BAD proof",
              vr.getGasUsed(),
              fault == null ? "" : "  [" + fault + "]"));
    } catch (Exception e) {
      LOG.debug("zk prover: {}", e.toString());
    }
  }

  // ---------------------------------------------------------------- the planted wrong verdict

  /** The operator whose raw key plants the wrong verdict, with where to send it. */
  record Planter(
      String name,
      byte[] operator,
      BlsSecretKey key,
      Eip712Domain domain,
      List<URI> aggregators,
      long epochLength) {}

  volatile Planter planter;

  private final java.net.http.HttpClient http =
      java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private void plant(Committed c, long l1Block, boolean valid) {
    Planter p = planter;
    OutputVerdict wrong =
        new OutputVerdict(
            ROLLUP_ID, c.commitmentIndex(), c.root(), valid, l1Block / p.epochLength());
    SignedMessage<OutputVerdict> m =
        new SignedMessage<>(wrong, p.operator(), p.key().sign(wrong.digest(p.domain())).toBytes());
    List<URI> targets =
        p.aggregators().stream().map(u -> u.resolve(Contradictor.VERDICT_PATH)).toList();
    Equivocator.postToAll(http, targets, m);
    progress.println(
        String.format(
            "fault     %s signs %s on the %s commitment #%s with its raw key and sends it to the"
                + " aggregators (--zk-plant-verdict)",
            p.name(),
            valid ? "VALID" : "INVALID",
            valid ? "WRONG-root" : "good",
            c.commitmentIndex()));
  }

  // ---------------------------------------------------------------- the quorum's records

  /** Reads the verdict oracle for the commitments not decided yet; one line per new record. */
  void watchRecords() {
    if (verdictOracle == null) {
      return;
    }
    for (Committed c : committed.values()) {
      if (decided.containsKey(c.commitmentIndex())) {
        continue;
      }
      try {
        BigInteger id = BigInteger.valueOf(ROLLUP_ID);
        boolean invalid = verdictOracle.isInvalidated(id, c.commitmentIndex()).send();
        boolean valid = !invalid && verdictOracle.isValidated(id, c.commitmentIndex()).send();
        if (!invalid && !valid) {
          continue;
        }
        decided.put(c.commitmentIndex(), invalid);
        long ms = System.currentTimeMillis() - c.committedAtMillis();
        String bad = badProofs.get(c.commitmentIndex());
        if (valid) {
          validLatencies.add(ms);
        }
        progress.println(
            String.format(
                "on-chain  zk commitment #%-3s %s on L1 by the operators' verdict certificate, %.1f"
                    + " s after its commitment%s",
                c.commitmentIndex(),
                invalid ? "INVALIDATED" : "VALIDATED",
                ms / 1000.0,
                invalid == c.wrongRoot() && bad == null
                    ? (c.wrongRoot() ? " (it was the wrong root)" : "")
                    : "  ** "
                        + (bad != null ? "its only published proof was bad" : "wrong")
                        + ": this is a defect **"));
      } catch (Exception e) {
        return; // L1 busy: next pass
      }
    }
  }

  /** The commitments whose only published proof was bad that are still without a VALID record. */
  long badProofsCaught() {
    return badProofs.keySet().stream().filter(i -> !Boolean.FALSE.equals(decided.get(i))).count();
  }

  Optional<Long> percentile(double p) {
    List<Long> v;
    synchronized (validLatencies) {
      v = new ArrayList<>(validLatencies);
    }
    if (v.isEmpty()) {
      return Optional.empty();
    }
    v.sort(null);
    int i = (int) Math.ceil(p * v.size()) - 1;
    return Optional.of(v.get(Math.max(0, Math.min(v.size() - 1, i))));
  }

  /**
   * Writes {@code zk-bench.json}: commitment to VALID record on L1 (p50, p99, samples) and the gas
   * of the rollup's L1 calls, for {@code benchmarks/run zk}.
   */
  void writeBench(Path file, int operators) throws java.io.IOException {
    int samples;
    synchronized (validLatencies) {
      samples = validLatencies.size();
    }
    String json =
        String.format(
            "{\"operators\": %d, \"commitments\": %d, \"validated\": %d, \"samples\": %d,"
                + " \"commitToValidP50Ms\": %d, \"commitToValidP99Ms\": %d,"
                + " \"commitToValidMaxMs\": %d, \"gasCommitBatch\": %s, \"gasSubmitProof\": %s,"
                + " \"gasVerifyBatch\": %s}%n",
            operators,
            committed.size(),
            decided.values().stream().filter(v -> !v).count(),
            samples,
            percentile(0.5).orElse(-1L),
            percentile(0.99).orElse(-1L),
            percentile(1.0).orElse(-1L),
            gasUsed.getOrDefault("commitBatch", BigInteger.ZERO),
            gasUsed.getOrDefault("submitProof", BigInteger.ZERO),
            gasUsed.getOrDefault("verifyBatch", BigInteger.ZERO));
    java.nio.file.Files.writeString(file, json);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (prover != null) {
      prover.close();
    }
    if (l2 != null) {
      l2.shutdown();
    }
    if (l2Anvil != null) {
      l2Anvil.close();
    }
  }
}
