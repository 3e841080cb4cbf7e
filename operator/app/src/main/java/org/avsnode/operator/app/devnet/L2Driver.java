package org.avsnode.operator.app.devnet;

import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.avsnode.contracts.bindings.OutputOracle;
import org.avsnode.operator.l2.L2Block;
import org.avsnode.operator.l2.L2Client;
import org.avsnode.operator.l2.OutputRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.http.HttpService;

/**
 * Keeps the demo rollup alive: sends a few transfers to the L2 for every block, writes a slot of
 * the message passer's storage now and then (so output roots commit to changing withdrawals state),
 * and acts as the rollup's proposer: every submission interval it posts the output root of the due
 * L2 block to the OutputOracle on L1.
 */
final class L2Driver implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(L2Driver.class);

  private final Web3j l2;
  private final HttpService l2Http;
  private final L2Client l2Client;
  private final OutputOracle outputs;
  private final int txsPerBlock;
  private final Progress progress;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "devnet-l2-driver");
            t.setDaemon(true);
            return t;
          });

  /**
   * The proposer's own thread: a proposal waits for its L1 receipt (up to 120 s when an L1 reorg
   * drops the transaction), and until 2026-12-07 that wait ran on the timer's thread and stopped
   * the wallets for as long (a chaos soak's wallets sent 206 transactions in 10 minutes instead of
   * about 500).
   */
  private final java.util.concurrent.ExecutorService proposer =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "devnet-l2-proposer");
            t.setDaemon(true);
            return t;
          });

  /** Whether a proposal is on the proposer's thread (at most one queued or running). */
  private final java.util.concurrent.atomic.AtomicBoolean proposing =
      new java.util.concurrent.atomic.AtomicBoolean();

  private List<String> accounts;
  private long lastBlock = -1;
  private int turn;
  final AtomicLong l2Txs = new AtomicLong();
  final AtomicLong outputsProposed = new AtomicLong();

  /** Output indexes posted with a wrong root (the {@code --bad-output} fault), in order. */
  final java.util.Set<Long> badOutputs = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** What the proposer posted: an output's L2 block, that block's hash, and the root posted. */
  record Posted(long l2Block, byte[] l2BlockHash, byte[] root) {}

  final java.util.Map<Long, Posted> posted = new java.util.concurrent.ConcurrentHashMap<>();

  private final int badOutputEvery;

  L2Driver(String l2Url, OutputOracle outputs, int txsPerBlock, Progress progress) {
    this(l2Url, outputs, txsPerBlock, progress, 0);
  }

  /**
   * @param badOutputEvery post a wrong root for every K-th output (outputs K-1, 2K-1, ...); 0:
   *     never
   */
  /** Told of every output posted (the VITAL benchmark), or null. */
  volatile VitalBench bench;

  /**
   * The dispute game factory: every output is also proposed as a game (the rollup's fault-proof
   * shape, VITAL's second rollup id), with the same root, wrong ones included; or null.
   */
  volatile org.avsnode.contracts.bindings.DisputeGameFactory games;

  final java.util.concurrent.atomic.AtomicLong gamesCreated =
      new java.util.concurrent.atomic.AtomicLong();
  final java.util.Set<Long> badGames = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * When SQUAD sequences the L2: the wallets that send through the operators' endpoints, and the
   * last L2 block whose commitment is final on L1 (the proposer posts only such blocks: one that a
   * reorg can still take out of the inbox may be re-sequenced); null otherwise.
   */
  volatile SquadWallets squad;

  volatile java.util.function.LongSupplier committedHead;

  L2Driver(
      String l2Url, OutputOracle outputs, int txsPerBlock, Progress progress, int badOutputEvery) {
    this.l2Http = new HttpService(l2Url);
    this.l2 = Web3j.build(l2Http);
    this.l2Client = new L2Client(URI.create(l2Url), Duration.ofSeconds(5));
    this.outputs = outputs;
    this.txsPerBlock = txsPerBlock;
    this.progress = progress;
    this.badOutputEvery = badOutputEvery;
  }

  void start() throws Exception {
    accounts = l2.ethAccounts().send().getAccounts();
    // the message passer predeploy: CALLER NUMBER SSTORE STOP
    new Request<>(
            "anvil_setCode",
            List.of(OutputRoot.MESSAGE_PASSER, "0x33435500"),
            l2Http,
            VoidResponse.class)
        .send();
    timer.scheduleWithFixedDelay(this::tick, 0, 250, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      long head = l2Client.blockNumber();
      if (head == lastBlock) {
        return;
      }
      lastBlock = head;
      SquadWallets wallets = squad;
      if (wallets != null) {
        long before = wallets.accepted.get();
        wallets.send(txsPerBlock, head % 3 == 0);
        l2Txs.addAndGet(wallets.accepted.get() - before);
        java.util.function.LongSupplier committed = committedHead;
        proposeAsync(committed == null ? head : Math.min(head, committed.getAsLong()));
        return;
      }
      for (int i = 0; i < txsPerBlock; i++) {
        String from = accounts.get(turn % accounts.size());
        String to = accounts.get((turn + 1) % accounts.size());
        turn++;
        var r =
            l2.ethSendTransaction(
                    Transaction.createEtherTransaction(
                        from, null, null, null, to, BigInteger.valueOf(1_000_000_000L + turn)))
                .send();
        if (!r.hasError()) {
          l2Txs.incrementAndGet();
        }
      }
      if (head % 3 == 0) {
        // a "withdrawal": a transaction to the message passer changes its storage (its code
        // stores the caller under the block number), and with it the output roots
        var w =
            l2.ethSendTransaction(
                    Transaction.createFunctionCallTransaction(
                        accounts.get(0),
                        null,
                        null,
                        BigInteger.valueOf(100_000),
                        OutputRoot.MESSAGE_PASSER,
                        BigInteger.ZERO,
                        "0x"))
                .send();
        if (!w.hasError()) {
          l2Txs.incrementAndGet();
        }
      }
      proposeAsync(head);
    } catch (Exception e) {
      LOG.debug("L2 driver: {}", e.toString());
    }
  }

  /** {@link #propose} on the proposer's thread, unless a proposal is already there. */
  private void proposeAsync(long head) {
    if (!proposing.compareAndSet(false, true)) {
      return; // the next new head asks again
    }
    try {
      proposer.execute(
          () -> {
            try {
              propose(head);
            } catch (Exception e) {
              LOG.debug("L2 driver: proposal: {}", e.toString());
            } finally {
              proposing.set(false);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      proposing.set(false); // closing
    }
  }

  private void propose(long head) throws Exception {
    long due = outputs.nextBlockNumber().send().longValueExact();
    if (due > head) {
      return;
    }
    L2Block b = l2Client.block(due).orElseThrow();
    byte[] root = l2Client.outputRoot(b);
    long idx = outputs.nextOutputIndex().send().longValueExact();
    boolean bad = badOutputEvery > 0 && (idx + 1) % badOutputEvery == 0;
    if (bad) {
      // a faulty or malicious proposer: a root no honest node computes for this block
      root = org.web3j.crypto.Hash.sha3(root);
    }
    var r =
        outputs
            .proposeL2Output(root, BigInteger.valueOf(due), new byte[32], BigInteger.ZERO)
            .send();
    if (r.isStatusOK()) {
      outputsProposed.incrementAndGet();
      posted.put(idx, new Posted(due, b.hash(), root));
      VitalBench vb = bench;
      if (vb != null) {
        vb.posted(idx, r.getBlockNumber().longValueExact(), bad);
      }
      createGame(due, root, bad);
      if (bad) {
        badOutputs.add(idx);
      }
      progress.println(
          String.format(
              "proposer  output #%d for L2 #%d posted to the OutputOracle (root %s, gas %,d)%s",
              idx,
              due,
              Progress.shortHex(root),
              r.getGasUsed(),
              bad ? "  [WRONG root: fault --bad-output " + badOutputEvery + "]" : ""));
    }
  }

  private void createGame(long l2Block, byte[] root, boolean bad) {
    var g = games;
    if (g == null) {
      return;
    }
    try {
      long index = g.gameCount().send().longValueExact();
      var r =
          g.create(
                  BigInteger.ZERO,
                  root,
                  org.web3j.utils.Numeric.toBytesPadded(BigInteger.valueOf(l2Block), 32),
                  BigInteger.ZERO)
              .send();
      if (r.isStatusOK()) {
        gamesCreated.incrementAndGet();
        if (bad) {
          badGames.add(index);
        }
      }
    } catch (Exception e) {
      LOG.debug("L2 driver: game for L2 #{} not created: {}", l2Block, e.toString());
    }
  }

  /** The L2's current block number. */
  long headNumber() {
    return l2Client.blockNumber();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    proposer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
      proposer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    l2.shutdown();
  }

  /** A JSON-RPC response whose result is not needed. */
  public static final class VoidResponse extends Response<Object> {}
}
