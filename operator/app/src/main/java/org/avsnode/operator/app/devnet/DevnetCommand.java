package org.avsnode.operator.app.devnet;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.avsnode.operator.app.DurationConverter;
import org.avsnode.operator.app.ShutdownLatch;
import org.avsnode.operator.app.UserException;
import org.avsnode.toolchain.ToolchainException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code operator devnet}: the whole system on one machine (DESIGN.md §9) — L1 and L2 anvils, every
 * contract, stakers and operators registered with BLS keys, a rollup proposer, and the operators
 * running MACH and VITAL with two aggregators; one line per certificate, a summary on exit.
 */
@Command(
    name = "devnet",
    mixinStandardHelpOptions = true,
    description = {
      "Run a local devnet on this machine: L1 and the demo rollup's L2 (anvil), all contracts,"
          + " N operators with delegated stake registered with BLS keys, a rollup proposer, and"
          + " the operators running MACH fast finality and VITAL output verification with two"
          + " aggregators.",
      "Prints one line per finality certificate and on-chain submission, and a summary on exit.",
      "Every process it starts is stopped on exit and on Ctrl-C."
    },
    usageHelpAutoWidth = true)
public final class DevnetCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--operators",
      defaultValue = "4",
      paramLabel = "N",
      description = "Operators to create and register (1..64). Default: ${DEFAULT-VALUE}.")
  int operators;

  @Option(
      names = "--offline",
      defaultValue = "0",
      paramLabel = "K",
      description = "Fault: K registered operators never sign. Default: ${DEFAULT-VALUE}.")
  int offline;

  @Option(
      names = "--equivocate",
      description =
          "Fault: one operator signs two different attestations for one L2 block (bypassing its"
              + " own slashing protection, as a faulty node would); the aggregators submit the"
              + " evidence and it is slashed on chain.")
  boolean equivocate;

  @Option(
      names = "--aggregators",
      defaultValue = "2",
      paramLabel = "1|2",
      description = "How many operators also run the aggregator role. Default: ${DEFAULT-VALUE}.")
  int aggregators;

  @Option(
      names = "--stop-aggregator-after",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description =
          "Fault: stop the first aggregator after this long; the other completes the"
              + " certificates.")
  Duration stopAggregatorAfter;

  @Option(
      names = "--duration",
      converter = DurationConverter.class,
      paramLabel = "DURATION",
      description = "Stop by itself after this long (e.g. 30s, 5m). Default: run until Ctrl-C.")
  Duration duration;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Where the devnet keeps its data and logs. Default: a new temporary directory.")
  Path dataDir;

  @Option(
      names = "--l2-block-time",
      converter = DurationConverter.class,
      defaultValue = "1s",
      description = "Block interval of the L2 (whole seconds). Default: ${DEFAULT-VALUE}.")
  Duration l2BlockTime;

  @Option(
      names = "--l1-block-time",
      converter = DurationConverter.class,
      defaultValue = "1s",
      description = "Block interval of the L1 (whole seconds). Default: ${DEFAULT-VALUE}.")
  Duration l1BlockTime;

  @Option(
      names = "--squad",
      negatable = true,
      description =
          "SQUAD sequences the L2 (the default): its anvil mines"
              + " only when a slot's leader seals (4 s slots, one backup), every operator runs the"
              + " squad duty next to MACH and VITAL, and the devnet's users send their"
              + " transactions to the operators' JSON-RPC endpoints. With --no-squad the L2 anvil"
              + " mines on its own every --l2-block-time and the operators run MACH and VITAL"
              + " only.")
  Boolean squad;

  @Option(
      names = "--break-preconf",
      description =
          "Fault (needs SQUAD): once, a slot's leader preconfirms a transaction and leaves it"
              + " out of its block (signed with its raw key, as a broken node would); the followers"
              + " refuse the block and submit the evidence, and it is slashed once.")
  boolean breakPreconf;

  @Option(
      names = "--equivocate-slot",
      description =
          "Fault (needs SQUAD): once, the operator that committed a recent slot signs a"
              + " second, different proposal for it (with its raw key, as a broken node would); the other"
              + " operators hold its first proposal, submit both, and it is slashed once.")
  boolean equivocateSlot;

  @Option(
      names = "--censor",
      description =
          "Fault (needs SQUAD, so operators in this JVM): operator 0's sequencer leaves the"
              + " due forced-inclusion transactions out of its blocks; the inbox refuses its"
              + " commitments and the slot's backup includes them.")
  boolean censor;

  @Option(
      names = "--zk",
      description =
          "Also run a validity (ZK) rollup, rollup 44 on its own L2 anvil: a sequencer commits a"
              + " batch of 4 L2 blocks at a time to a ZkBatchProposer on L1, a prover process"
              + " (snarkjs) proves each one with the circuit in zk/circuits and publishes the proof;"
              + " every operator's VITAL checks it against the rollup's Groth16 verifier with the"
              + " public inputs it rebuilt from its own L2, and the quorum's verdicts go on L1.")
  boolean zk;

  @Option(
      names = "--zk-bad-state-root",
      defaultValue = "0",
      paramLabel = "K",
      description =
          "Fault (needs --zk): every K-th batch is committed with a wrong state root; the"
              + " operators invalidate it on L1, then the sequencer withdraws it and commits it"
              + " again.")
  int zkBadStateRoot;

  @Option(
      names = "--zk-bad-proof",
      defaultValue = "0",
      paramLabel = "K",
      description =
          "Fault (needs --zk): the proof published for every K-th batch has tampered bytes; the"
              + " operators reject it and abstain.")
  int zkBadProof;

  @Option(
      names = "--zk-unbound-proof",
      defaultValue = "0",
      paramLabel = "K",
      description =
          "Fault (needs --zk): the proof published for every K-th batch is a valid proof of other"
              + " public inputs; the operators reject it and abstain.")
  int zkUnboundProof;

  @Option(
      names = "--zk-plant-verdict",
      description =
          "Fault (needs --zk): the last operator (its node does not check the ZK rollup) signs,"
              + " with its raw key, INVALID on the first good ZK commitment and VALID on the first"
              + " wrong root (with --zk-bad-state-root); once a proof contradicts each, the"
              + " aggregators submit the evidence and each is slashed once.")
  boolean zkPlantVerdict;

  @Option(
      names = "--epoch-length",
      defaultValue = "64",
      paramLabel = "BLOCKS",
      description = "Stake epoch length in L1 blocks. Default: ${DEFAULT-VALUE}.")
  long epochLength;

  @Option(
      names = "--threshold-bps",
      defaultValue = "6667",
      paramLabel = "BPS",
      description = "Stake share a certificate needs, in basis points. Default: ${DEFAULT-VALUE}.")
  int thresholdBps;

  @Option(
      names = "--l2-txs-per-block",
      defaultValue = "3",
      paramLabel = "N",
      description = "Transactions sent to the L2 per block. Default: ${DEFAULT-VALUE}.")
  int l2TxsPerBlock;

  @Option(
      names = "--operator-processes",
      description =
          "Run each operator as its own 'operator run' process (at most 16), so a fault can kill"
              + " one with SIGKILL; --stop-aggregator-after then kills the first aggregator's"
              + " process. Default: operators run as nodes inside this JVM.")
  boolean operatorProcesses;

  @Option(
      names = "--bad-output",
      defaultValue = "0",
      paramLabel = "K",
      description =
          "Fault: the rollup's proposer posts a wrong output root for every K-th output; VITAL's"
              + " quorum invalidates each on L1. Default: none.")
  int badOutput;

  @Option(
      names = "--lying-l2",
      defaultValue = "0",
      paramLabel = "N",
      description =
          "Fault: N operators read their L2 through a node that lies about state: their MACH"
              + " attestations are outvoted and their VITAL, which also reads the honest node,"
              + " abstains. Default: none.")
  int lyingL2;

  @Option(
      names = "--contradict",
      description =
          "Fault: one operator signs both VALID and INVALID for one output (bypassing its own"
              + " slashing protection, as a faulty node would); the aggregators submit the"
              + " evidence and it is slashed on chain.")
  boolean contradict;

  @Option(
      names = "--chaos",
      description =
          "Fault injection for a bounded run (needs --duration; implies --operator-processes):"
              + " SIGKILL and restart of operators, aggregators included; latency, 5xx, resets,"
              + " garbage and stale heads from a fault proxy in front of each operator's L1 and L2"
              + " endpoints; L1 reorgs. Checks at the end: no double signature, every L2 height"
              + " certified or listed with its reason, operator RSS bound, no process left."
              + " Writes chaos-report.json to the data directory; exit 1 when a check fails.")
  boolean chaos;

  @Option(
      names = "--chaos-seed",
      paramLabel = "N",
      description = "Seed of the chaos's random choices (default: random, printed).")
  Long chaosSeed;

  @Option(
      names = "--submit-every",
      paramLabel = "L1_BLOCKS",
      defaultValue = "" + DevnetOptions.DEFAULT_SUBMIT_EVERY_L1_BLOCKS,
      description =
          "The aggregators submit the latest certified L2 block to the finality oracle once this"
              + " many L1 blocks passed since the last one (a FinalityRequested event on the"
              + " oracle gets a block submitted at once); 0 submits every certified block."
              + " Default: ${DEFAULT-VALUE} (the devnet's 1 s L1 blocks: 36 s).")
  long submitEvery;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    quietLogs();
    DevnetOptions options;
    try {
      options =
          new DevnetOptions(
              operators,
              offline,
              equivocate,
              aggregators,
              dataDir != null ? dataDir : Files.createTempDirectory("avs-devnet-"),
              l2BlockTime,
              l1BlockTime,
              epochLength,
              thresholdBps,
              Optional.ofNullable(stopAggregatorAfter),
              l2TxsPerBlock,
              operatorProcesses || chaos,
              badOutput,
              lyingL2,
              contradict,
              chaos
                  ? Optional.of(
                      chaosSeed != null
                          ? chaosSeed
                          : new java.security.SecureRandom().nextLong() & Long.MAX_VALUE)
                  : Optional.empty(),
              submitEvery);
      if (chaos && duration == null) {
        throw new IllegalArgumentException("--chaos needs --duration (for example 3m)");
      }
      if (!chaos && chaosSeed != null) {
        throw new IllegalArgumentException("--chaos-seed needs --chaos");
      }
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage(), e);
    }
    Progress progress = new Progress(out);
    boolean squad = this.squad == null || this.squad;
    if ((breakPreconf || equivocateSlot || censor) && !squad) {
      throw new UserException(
          (breakPreconf ? "--break-preconf" : equivocateSlot ? "--equivocate-slot" : "--censor")
              + " needs SQUAD, which --no-squad turns off");
    }
    if (censor && options.operatorProcesses()) {
      // the censor is a hook inside the node, which an 'operator run' process does not have
      throw new UserException(
          "--censor needs the operators in this JVM; drop --operator-processes (and --chaos)");
    }
    ZkRollup.Faults zkFaults =
        new ZkRollup.Faults(zkBadStateRoot, zkBadProof, zkUnboundProof, zkPlantVerdict);
    if (zkBadStateRoot < 0 || zkBadProof < 0 || zkUnboundProof < 0) {
      throw new UserException(
          "--zk-bad-state-root, --zk-bad-proof and --zk-unbound-proof take K >= 1");
    }
    if (zkFaults.any() && !zk) {
      throw new UserException("the --zk-* faults need --zk");
    }
    Devnet devnet =
        new Devnet(options, progress)
            .withZk(zk ? zkFaults : null)
            .withSquad(squad)
            .withBreakPreconf(breakPreconf)
            .withEquivocateSlot(equivocateSlot)
            .withCensor(censor);
    try (ShutdownLatch shutdown = ShutdownLatch.install("devnet-ctrl-c", Duration.ofSeconds(30))) {
      try {
        try {
          devnet.start();
        } catch (ToolchainException e) {
          throw new UserException(e.getMessage(), e);
        }
        if (options.chaos()) {
          devnet.startChaos(duration);
        }
        if (duration == null) {
          shutdown.awaitStop();
        } else {
          shutdown.awaitStop(duration);
        }
        progress.println("devnet: stopping");
        devnet.printSummary();
      } finally {
        devnet.close();
        progress.println("devnet: every process and operator stopped");
      }
    }
    Chaos.Report report = devnet.finishChaos();
    if (report != null && !report.failures().isEmpty()) {
      return 1; // a chaos check failed: a defect of the node, named on the line above
    }
    return 0;
  }

  /**
   * The devnet's own lines are the output a person follows; the operators' INFO logs (dozens of
   * nodes) would drown them. Warnings and errors still reach stderr; AVS_LOG_LEVEL overrides.
   */
  private static void quietLogs() {
    if (System.getenv("AVS_LOG_LEVEL") == null
        && org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
            instanceof ch.qos.logback.classic.Logger root) {
      root.setLevel(ch.qos.logback.classic.Level.WARN);
    }
  }
}
