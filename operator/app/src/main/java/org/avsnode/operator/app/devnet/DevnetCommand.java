package org.avsnode.operator.app.devnet;

import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.avsnode.operator.app.DurationConverter;
import org.avsnode.operator.app.UserException;
import org.avsnode.toolchain.AnvilProcess;
import org.avsnode.toolchain.ToolchainException;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.http.HttpService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The local devnet: an L1 (anvil) and the demo rollup's L2 execution node (a second anvil that
 * produces blocks with transactions), followed until {@code --duration} passes or Ctrl-C. Contract
 * deployment, operators and MACH certificates join it as those parts land (see the README).
 */
@Command(
    name = "devnet",
    mixinStandardHelpOptions = true,
    description = {
      "Run a local devnet on this machine: L1 and the demo rollup's L2 as anvil processes on"
          + " loopback ports, with L2 blocks carrying transactions.",
      "Every process it starts is stopped on exit and on Ctrl-C."
    })
public final class DevnetCommand implements java.util.concurrent.Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--duration",
      converter = DurationConverter.class,
      description = "Stop by itself after this long (e.g. 30s, 5m). Default: run until Ctrl-C.")
  Duration duration;

  @Option(
      names = "--data-dir",
      description = "Where the devnet keeps its data and logs. Default: a new temporary directory.")
  Path dataDir;

  @Option(
      names = "--l2-block-time",
      converter = DurationConverter.class,
      defaultValue = "1s",
      description =
          "Block interval of the L2 (whole seconds, at least 1s). Default: ${DEFAULT-VALUE}.")
  Duration l2BlockTime;

  @Option(
      names = "--l1-block-time",
      converter = DurationConverter.class,
      defaultValue = "2s",
      description =
          "Block interval of the L1 (whole seconds, at least 1s). Default: ${DEFAULT-VALUE}.")
  Duration l1BlockTime;

  static final long L1_CHAIN_ID = 31337;
  static final long L2_CHAIN_ID = 42069;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (l2BlockTime.toSeconds() < 1 || l1BlockTime.toSeconds() < 1) {
      throw new UserException("block times must be at least 1s");
    }
    Path dir = dataDir != null ? dataDir : Files.createTempDirectory("avs-devnet-");
    Files.createDirectories(dir);
    out.printf("devnet: data and logs in %s%n", dir);
    CountDownLatch stop = new CountDownLatch(1);
    Thread hook = new Thread(stop::countDown, "devnet-ctrl-c");
    Runtime.getRuntime().addShutdownHook(hook);
    long started = System.nanoTime();
    DevnetStats stats = new DevnetStats();
    try (AnvilProcess l1 =
            AnvilProcess.builder()
                .chainId(L1_CHAIN_ID)
                .blockTime(l1BlockTime)
                .logFile(dir.resolve("l1-anvil.log"))
                .start();
        AnvilProcess l2 =
            AnvilProcess.builder()
                .chainId(L2_CHAIN_ID)
                .blockTime(l2BlockTime)
                .logFile(dir.resolve("l2-anvil.log"))
                .start()) {
      out.printf(
          "devnet: L1 anvil   chain %d at %s (pid %d)%n", L1_CHAIN_ID, l1.rpcUrl(), l1.pid());
      out.printf(
          "devnet: L2 anvil   chain %d at %s (pid %d)%n", L2_CHAIN_ID, l2.rpcUrl(), l2.pid());
      out.printf(
          "devnet: following heads%s; Ctrl-C stops every process%n",
          duration == null ? "" : " for " + duration.toSeconds() + "s");
      out.flush();
      Web3j w1 = Web3j.build(new HttpService(l1.rpcUrl()));
      Web3j w2 = Web3j.build(new HttpService(l2.rpcUrl()));
      try {
        follow(w1, w2, stop, out, stats);
      } finally {
        w1.shutdown();
        w2.shutdown();
      }
    } catch (ToolchainException e) {
      throw new UserException(e.getMessage(), e);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down already (Ctrl-C): the hook has run
      }
    }
    double secs = (System.nanoTime() - started) / 1e9;
    out.printf(
        "devnet: stopped after %.1fs: %d L1 blocks, %d L2 blocks, %d L2 transactions sent;"
            + " every process stopped%n",
        secs, stats.l1Blocks, stats.l2Blocks, stats.l2Txs);
    out.flush();
    return 0;
  }

  private static final class DevnetStats {
    long l1Blocks;
    long l2Blocks;
    long l2Txs;
  }

  private void follow(Web3j l1, Web3j l2, CountDownLatch stop, PrintWriter out, DevnetStats stats)
      throws Exception {
    List<String> accounts = l2.ethAccounts().send().getAccounts();
    long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
    BigInteger lastL1 = BigInteger.valueOf(-1);
    BigInteger lastL2 = BigInteger.valueOf(-1);
    int turn = 0;
    while (System.nanoTime() < deadline && stop.getCount() > 0) {
      BigInteger h1 = l1.ethBlockNumber().send().getBlockNumber();
      if (h1.compareTo(lastL1) > 0) {
        stats.l1Blocks += lastL1.signum() < 0 ? 1 : h1.subtract(lastL1).longValue();
        lastL1 = h1;
        out.printf("L1 block %d%n", h1);
      }
      BigInteger h2 = l2.ethBlockNumber().send().getBlockNumber();
      if (h2.compareTo(lastL2) > 0) {
        for (BigInteger n = lastL2.add(BigInteger.ONE);
            n.compareTo(h2) <= 0;
            n = n.add(BigInteger.ONE)) {
          EthBlock.Block b =
              l2.ethGetBlockByNumber(
                      org.web3j.protocol.core.DefaultBlockParameter.valueOf(n), false)
                  .send()
                  .getBlock();
          stats.l2Blocks++;
          out.printf(
              "L2 block %d %s txs=%d%n", b.getNumber(), b.getHash(), b.getTransactions().size());
        }
        lastL2 = h2;
        // one transfer per L2 block keeps the rollup's blocks non-empty
        String from = accounts.get(turn % accounts.size());
        String to = accounts.get((turn + 1) % accounts.size());
        turn++;
        String tx =
            l2.ethSendTransaction(
                    Transaction.createEtherTransaction(
                        from, null, null, null, to, BigInteger.valueOf(1_000_000_000L + turn)))
                .send()
                .getTransactionHash();
        if (tx != null) {
          stats.l2Txs++;
        }
      }
      out.flush();
      stop.await(250, TimeUnit.MILLISECONDS);
    }
  }
}
