package org.avsnode.vital;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.operator.spi.DutySection;

/**
 * VITAL's configuration section ({@code --duty-option vital.KEY=VALUE} or the YAML file's {@code
 * vital:} map). Contract addresses default to the deployment file's.
 *
 * @param sources per rollup id, the operator's L2 endpoints: one, or two for two-source truth (a
 *     verdict is signed only when both agree)
 * @param outputOracles per rollup id, its output oracle on L1; empty: the deployment's output
 *     oracle, whose rollup id is read from the contract
 * @param gameFactories rollups whose proposals are dispute games (OP Stack fault proofs): rollup id
 *     → the game factory; a game's output index is its index in the factory
 * @param registry the AVS registry (EIP-712 domain, operator sets)
 * @param verdictOracle where verdict certificates are submitted
 * @param slashingCoordinator where contradiction evidence is submitted
 * @param operatorSetId the operator set whose stake weighs verdicts
 * @param aggregators base URLs of the aggregators' node APIs verdicts are sent to
 * @param aggregator whether this node aggregates verdicts and submits certificates
 * @param aggregatorRank this aggregator's rank: it submits output {@code i} at once when {@code i %
 *     aggregatorCount == aggregatorRank}, after {@code submitGrace} otherwise
 * @param aggregatorCount how many aggregators share the submissions
 * @param thresholdBps stake share a verdict certificate needs (at least the registry's)
 * @param collectionWindow how long an aggregator keeps collecting after the threshold
 * @param submitGrace how long an aggregator that is not of record waits before submitting
 * @param finalityDepth L2 blocks a block must lie below its node's head before it is checked (the
 *     rollup's finality rule; 0 on the devnet)
 * @param pollInterval how often L1 logs and pending checks are polled
 * @param recheckFor how long a proposal whose block is not final (or whose node lags) is retried
 *     before it is abandoned as ABSTAIN
 * @param rpcTimeout timeout of one L2 request
 * @param l2RequestsPerSecond requests per second to one L2 endpoint, shared by every rollup that
 *     names it (a request waits up to {@code rpcTimeout} for its turn, else the check abstains and
 *     is retried)
 * @param postAttempts attempts per verdict and aggregator
 * @param maxVerdictBytes largest verdict body the intake reads
 * @param zkProposers validity (ZK) rollups: rollup id → its ZkBatchProposer on L1; an output index
 *     is a commitment index, an output root a batch's new state root
 * @param proofDeadline how long after a commitment is seen a proof that verifies may still come (a
 *     validity rollup's commitment without one is ABSTAIN after it)
 * @param maxBatchBlocks the most L2 blocks a validity rollup's batch may name (one L2 request per
 *     block and source rebuilds its public inputs; a longer batch is ABSTAIN)
 * @param sequencedAs optimistic rollups whose L2 chain the node's SQUAD duty sequences under
 *     another rollup id (the devnet's dispute games follow the output oracle's chain): VITAL rollup
 *     id → SQUAD rollup id; any other rollup is asked for under its own id
 */
public record VitalConfig(
    Map<Long, List<URI>> sources,
    Map<Long, String> outputOracles,
    Map<Long, String> gameFactories,
    String registry,
    String verdictOracle,
    String slashingCoordinator,
    long operatorSetId,
    List<URI> aggregators,
    boolean aggregator,
    int aggregatorRank,
    int aggregatorCount,
    int thresholdBps,
    Duration collectionWindow,
    Duration submitGrace,
    long finalityDepth,
    Duration pollInterval,
    Duration recheckFor,
    Duration rpcTimeout,
    int l2RequestsPerSecond,
    int postAttempts,
    int maxVerdictBytes,
    Map<Long, String> zkProposers,
    Duration proofDeadline,
    long maxBatchBlocks,
    Map<Long, Long> sequencedAs) {

  static final Set<String> KEYS =
      Set.of(
          "rollups",
          "output-oracles",
          "dispute-game-factories",
          "registry",
          "verdict-oracle",
          "slashing-coordinator",
          "operator-set-id",
          "aggregators",
          "aggregator",
          "aggregator-rank",
          "aggregator-count",
          "threshold-bps",
          "collection-window",
          "submit-grace",
          "finality-depth",
          "poll-interval",
          "recheck-for",
          "rpc-timeout",
          "l2-requests-per-second",
          "post-attempts",
          "max-verdict-bytes",
          "zk-proposers",
          "proof-deadline",
          "max-batch-blocks",
          "sequenced-as");

  public VitalConfig {
    sources = Map.copyOf(sources);
    outputOracles = Map.copyOf(outputOracles);
    gameFactories = Map.copyOf(gameFactories);
    zkProposers = Map.copyOf(zkProposers);
    sequencedAs = Map.copyOf(sequencedAs);
    for (Long id : zkProposers.keySet()) {
      if (outputOracles.containsKey(id) || gameFactories.containsKey(id)) {
        throw new IllegalArgumentException(
            "vital: rollup "
                + id
                + " is named as a validity rollup (zk-proposers) and as an optimistic one");
      }
    }
    if (maxBatchBlocks < 1) {
      throw new IllegalArgumentException("vital: max-batch-blocks must be at least 1");
    }
    for (Long id : gameFactories.keySet()) {
      if (outputOracles.containsKey(id)) {
        throw new IllegalArgumentException(
            "vital: rollup " + id + " has both an output oracle and a dispute game factory");
      }
    }
    aggregators = List.copyOf(aggregators);
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(verdictOracle, "verdictOracle");
    Objects.requireNonNull(slashingCoordinator, "slashingCoordinator");
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("vital: at least one rollup is needed (rollups=ID=URL)");
    }
    for (Map.Entry<Long, List<URI>> e : sources.entrySet()) {
      if (e.getValue().isEmpty() || e.getValue().size() > 2) {
        throw new IllegalArgumentException(
            "vital: rollup "
                + e.getKey()
                + " needs one or two L2 endpoints (ID=URL or ID=URL|URL)");
      }
    }
    if (aggregatorCount < 1 || aggregatorRank < 0 || aggregatorRank >= aggregatorCount) {
      throw new IllegalArgumentException(
          "vital: aggregator-rank must be in [0, aggregator-count) and aggregator-count >= 1");
    }
    if (thresholdBps < 1 || thresholdBps > 10_000) {
      throw new IllegalArgumentException("vital: threshold-bps must be in 1..10000");
    }
    if (l2RequestsPerSecond < 1) {
      throw new IllegalArgumentException("vital: l2-requests-per-second must be at least 1");
    }
    if (postAttempts < 1 || maxVerdictBytes < 256) {
      throw new IllegalArgumentException(
          "vital: post-attempts must be >= 1 and max-verdict-bytes >= 256");
    }
  }

  /** Whether this aggregator submits output {@code index} at once (else after the grace). */
  public boolean isRecordFor(long index) {
    return Long.remainderUnsigned(index, aggregatorCount) == aggregatorRank;
  }

  /** {@code ID=0xADDRESS,...} of {@code key}. */
  private static Map<Long, String> addressesById(DutySection c, String key) {
    return byId(
        c,
        key,
        "ID=0xADDRESS",
        a -> {
          if (!a.matches("0x[0-9a-fA-F]{40}")) {
            throw c.error(key + ": not a 20-byte 0x address: " + a);
          }
          return a.toLowerCase(java.util.Locale.ROOT);
        });
  }

  /** {@code key}'s comma-separated {@code ID=VALUE} entries ({@code form} names them in errors). */
  private static <V> Map<Long, V> byId(
      DutySection c, String key, String form, java.util.function.Function<String, V> value) {
    Map<Long, V> out = new LinkedHashMap<>();
    for (String part : c.list(key)) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw c.error(key + " entries are " + form);
      }
      out.put(
          c.nonNegativeValue(key, part.substring(0, eq)),
          value.apply(part.substring(eq + 1).strip()));
    }
    return out;
  }

  /** Parses the section; addresses, operator set and threshold default to the deployment's. */
  public static VitalConfig parse(Map<String, String> section, Optional<Deployment> deployment) {
    DutySection c = new DutySection("vital", section, KEYS);
    Map<Long, List<URI>> sources = new LinkedHashMap<>();
    for (String part : c.list("rollups")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw c.error("rollups entries are ID=URL or ID=URL|URL");
      }
      long id = c.nonNegativeValue("rollups", part.substring(0, eq));
      List<URI> urls = new ArrayList<>();
      for (String u : part.substring(eq + 1).split("\\|")) {
        urls.add(c.uriValue("rollups", u));
      }
      sources.put(id, urls);
    }
    Map<Long, String> oracles = addressesById(c, "output-oracles");
    Map<Long, String> factories = addressesById(c, "dispute-game-factories");
    List<URI> aggregators = new ArrayList<>();
    for (String u : c.list("aggregators")) {
      aggregators.add(c.uriValue("aggregators", u));
    }
    Optional<Deployment.Contracts> dc = deployment.map(Deployment::contracts);
    return new VitalConfig(
        sources,
        oracles,
        factories,
        c.address("registry", dc.map(Deployment.Contracts::avsRegistry).orElse(null)),
        c.address(
            "verdict-oracle", dc.flatMap(Deployment.Contracts::verdictOracleAddress).orElse(null)),
        c.address(
            "slashing-coordinator", dc.map(Deployment.Contracts::slashingCoordinator).orElse(null)),
        c.nonNegative("operator-set-id", deployment.map(Deployment::operatorSetId).orElse(0L)),
        aggregators,
        c.bool("aggregator", false),
        (int) c.nonNegative("aggregator-rank", 0),
        (int) c.nonNegative("aggregator-count", 1),
        (int)
            c.nonNegative(
                "threshold-bps", deployment.map(d -> (long) d.thresholdBps()).orElse(6667L)),
        c.duration("collection-window", "300ms"),
        c.duration("submit-grace", "6s"),
        c.nonNegative("finality-depth", 0),
        c.duration("poll-interval", "250ms"),
        c.duration("recheck-for", "10m"),
        c.duration("rpc-timeout", "5s"),
        (int) c.nonNegative("l2-requests-per-second", 50),
        (int) c.nonNegative("post-attempts", 8),
        (int) c.nonNegative("max-verdict-bytes", 2048),
        addressesById(c, "zk-proposers"),
        c.duration("proof-deadline", "60m"),
        c.nonNegative("max-batch-blocks", 1024),
        byId(c, "sequenced-as", "ID=ID", v -> c.nonNegativeValue("sequenced-as", v)));
  }
}
