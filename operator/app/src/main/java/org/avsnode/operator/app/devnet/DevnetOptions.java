package org.avsnode.operator.app.devnet;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What the devnet runs, as an immutable value (the command maps its options to it).
 *
 * @param operators how many operators are registered (1..64)
 * @param offline how many of them never sign (registered, never started)
 * @param equivocate whether one operator signs two contents for one height
 * @param aggregators how many operators also run the aggregator role (1..2)
 * @param dataDir where every operator keeps its data
 * @param l2BlockTime L2 block interval
 * @param l1BlockTime L1 block interval once the devnet runs
 * @param epochLength registry epoch length in L1 blocks
 * @param thresholdBps certificate threshold
 * @param stopAggregatorAfter stop the first aggregator (of record for even heights) after this long
 * @param l2TxsPerBlock transactions sent to the L2 per block
 * @param operatorProcesses each operator runs as its own {@code operator run} process (else as a
 *     node inside this JVM, built by the same component)
 * @param badOutput the rollup's proposer posts a wrong root for every K-th output (0: never)
 * @param lyingL2 how many operators read the L2 through a node that lies about state (their output
 *     roots are wrong): their MACH attestations are outvoted, their VITAL (which also reads the
 *     honest node, as a second source) abstains
 * @param chaosSeed present for {@code --chaos}: operator processes are killed and restarted, their
 *     RPC endpoints fail and L1 reorganises, drawn from a random generator with this seed
 * @param submitEveryL1Blocks the aggregators' cadence on L1 (MACH's {@code submit-every-l1-blocks};
 *     0: every certified block is submitted)
 */
public record DevnetOptions(
    int operators,
    int offline,
    boolean equivocate,
    int aggregators,
    Path dataDir,
    Duration l2BlockTime,
    Duration l1BlockTime,
    long epochLength,
    int thresholdBps,
    Optional<Duration> stopAggregatorAfter,
    int l2TxsPerBlock,
    boolean operatorProcesses,
    int badOutput,
    int lyingL2,
    boolean contradict,
    Optional<Long> chaosSeed,
    long submitEveryL1Blocks) {
  public static final int MAX_OPERATORS = 64;

  /** Chaos keeps one operator down at a time and faults another's RPC: at least 4 operators. */
  public static final int MIN_CHAOS_OPERATORS = 4;

  /** Operator processes take about 150 MB each: for small devnets. */
  public static final int MAX_OPERATOR_PROCESSES = 16;

  /**
   * The devnet's L1 makes a block every second, twelve times as often as Ethereum's: 36 L1 blocks
   * are the 36 s that MACH's default of 3 L1 blocks means on mainnet (36 L2 blocks of 1 s).
   */
  public static final long DEFAULT_SUBMIT_EVERY_L1_BLOCKS = 36;

  /**
   * The command's defaults (4 operators, 2 aggregators, 1 s blocks, 64-block epochs, 2/3, 3 L2
   * transactions per block, operators in this JVM, no fault), with the data in {@code dataDir}.
   */
  public static DevnetOptions defaults(Path dataDir) {
    return new DevnetOptions(
        4,
        0,
        false,
        2,
        dataDir,
        Duration.ofSeconds(1),
        Duration.ofSeconds(1),
        64,
        6667,
        Optional.empty(),
        3,
        false,
        0,
        0,
        false,
        Optional.empty(),
        DEFAULT_SUBMIT_EVERY_L1_BLOCKS);
  }

  /** These options with {@code n} operators. */
  public DevnetOptions withOperators(int n) {
    return new DevnetOptions(
        n,
        offline,
        equivocate,
        aggregators,
        dataDir,
        l2BlockTime,
        l1BlockTime,
        epochLength,
        thresholdBps,
        stopAggregatorAfter,
        l2TxsPerBlock,
        operatorProcesses,
        badOutput,
        lyingL2,
        contradict,
        chaosSeed,
        submitEveryL1Blocks);
  }

  /** These options with the last {@code k} operators offline (registered, never started). */
  public DevnetOptions withOffline(int k) {
    return new DevnetOptions(
        operators,
        k,
        equivocate,
        aggregators,
        dataDir,
        l2BlockTime,
        l1BlockTime,
        epochLength,
        thresholdBps,
        stopAggregatorAfter,
        l2TxsPerBlock,
        operatorProcesses,
        badOutput,
        lyingL2,
        contradict,
        chaosSeed,
        submitEveryL1Blocks);
  }

  /** These options with {@code n} operators reading a lying L2 node. */
  public DevnetOptions withLyingL2(int n) {
    return new DevnetOptions(
        operators,
        offline,
        equivocate,
        aggregators,
        dataDir,
        l2BlockTime,
        l1BlockTime,
        epochLength,
        thresholdBps,
        stopAggregatorAfter,
        l2TxsPerBlock,
        operatorProcesses,
        badOutput,
        n,
        contradict,
        chaosSeed,
        submitEveryL1Blocks);
  }

  /** These options with another cadence on L1 (0: every certified block). */
  public DevnetOptions withSubmitEvery(long l1Blocks) {
    return new DevnetOptions(
        operators,
        offline,
        equivocate,
        aggregators,
        dataDir,
        l2BlockTime,
        l1BlockTime,
        epochLength,
        thresholdBps,
        stopAggregatorAfter,
        l2TxsPerBlock,
        operatorProcesses,
        badOutput,
        lyingL2,
        contradict,
        chaosSeed,
        l1Blocks);
  }

  public DevnetOptions {
    if (operators < 1 || operators > MAX_OPERATORS) {
      throw new IllegalArgumentException("--operators must be in 1.." + MAX_OPERATORS);
    }
    if (aggregators < 1 || aggregators > 2 || aggregators > operators) {
      throw new IllegalArgumentException("aggregators must be 1 or 2 (and at most --operators)");
    }
    int faulty = offline + (equivocate ? 1 : 0);
    if (offline < 0 || operators - faulty < aggregators) {
      throw new IllegalArgumentException(
          "--offline and --equivocate leave fewer than "
              + aggregators
              + " honest online operators to aggregate");
    }
    Objects.requireNonNull(dataDir, "dataDir");
    if (l2BlockTime.toSeconds() < 1 || l1BlockTime.toSeconds() < 1) {
      throw new IllegalArgumentException("block times must be whole seconds, at least 1s");
    }
    if (epochLength < 4) {
      throw new IllegalArgumentException("epoch length must be at least 4 blocks");
    }
    Objects.requireNonNull(stopAggregatorAfter, "stopAggregatorAfter");
    if (submitEveryL1Blocks < 0) {
      throw new IllegalArgumentException(
          "--submit-every must be 0 (every block) or more L1 blocks");
    }
    if (operatorProcesses && operators > MAX_OPERATOR_PROCESSES) {
      throw new IllegalArgumentException(
          "--operator-processes runs at most " + MAX_OPERATOR_PROCESSES + " operators");
    }
    if (operatorProcesses && equivocate) {
      throw new IllegalArgumentException(
          "--equivocate needs the operators inside the devnet (it taps an operator's own"
              + " attestations); drop --operator-processes");
    }
    if (badOutput < 0 || badOutput == 1) {
      throw new IllegalArgumentException(
          "--bad-output K needs K >= 2 (every K-th output is wrong; 0: none)");
    }
    if (lyingL2 < 0 || lyingL2 > operators - offline - aggregators - (equivocate ? 1 : 0)) {
      throw new IllegalArgumentException(
          "--lying-l2 N must leave the aggregators, the equivocator and the offline operators"
              + " honest: at most "
              + Math.max(0, operators - offline - aggregators - (equivocate ? 1 : 0)));
    }
    if (contradict && operators - offline - aggregators - (equivocate ? 1 : 0) - lyingL2 < 1) {
      throw new IllegalArgumentException(
          "--contradict needs one more honest online operator besides the aggregators, the"
              + " equivocator and the lying ones");
    }
    if (contradict && operatorProcesses) {
      throw new IllegalArgumentException(
          "--contradict needs the operators inside the devnet (it taps an operator's own"
              + " verdicts); drop --operator-processes");
    }
    Objects.requireNonNull(chaosSeed, "chaosSeed");
    if (chaosSeed.isPresent()) {
      if (!operatorProcesses) {
        throw new IllegalArgumentException("--chaos runs the operators as processes");
      }
      if (operators < MIN_CHAOS_OPERATORS || offline > 0 || equivocate || lyingL2 > 0) {
        throw new IllegalArgumentException(
            "--chaos needs at least "
                + MIN_CHAOS_OPERATORS
                + " operators, all honest and online (no --offline, --equivocate or --lying-l2)");
      }
      if (stopAggregatorAfter.isPresent()) {
        throw new IllegalArgumentException(
            "--chaos kills aggregators by itself; drop --stop-aggregator-after");
      }
    }
  }

  /** Without chaos. */
  public DevnetOptions(
      int operators,
      int offline,
      boolean equivocate,
      int aggregators,
      Path dataDir,
      Duration l2BlockTime,
      Duration l1BlockTime,
      long epochLength,
      int thresholdBps,
      Optional<Duration> stopAggregatorAfter,
      int l2TxsPerBlock,
      boolean operatorProcesses) {
    this(
        operators,
        offline,
        equivocate,
        aggregators,
        dataDir,
        l2BlockTime,
        l1BlockTime,
        epochLength,
        thresholdBps,
        stopAggregatorAfter,
        l2TxsPerBlock,
        operatorProcesses,
        0,
        0,
        false,
        Optional.empty(),
        DEFAULT_SUBMIT_EVERY_L1_BLOCKS);
  }

  boolean chaos() {
    return chaosSeed.isPresent();
  }
}
