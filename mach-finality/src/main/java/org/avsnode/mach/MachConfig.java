package org.avsnode.mach;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.operator.spi.DutySection;

/**
 * The MACH duty's configuration section ({@code duties.mach.*} in the node's configuration; keys
 * here without the prefix). Unknown keys are errors.
 *
 * @param rollups the rollups to follow: rollup id → the operator's own L2 JSON-RPC endpoint
 * @param registry the AvsRegistry address (also the EIP-712 verifyingContract)
 * @param finalityOracle the FinalityOracle address
 * @param slashingCoordinator the SlashingCoordinator address
 * @param operatorSetId the operator set whose stake weighs certificates
 * @param aggregators base URLs of the aggregators' node APIs the attestations are sent to
 * @param aggregator whether this node also runs the aggregator role
 * @param aggregatorRank this aggregator's rank among {@code aggregatorCount} aggregators: it is the
 *     aggregator of record (submits at once) for heights with {@code height % count == rank}
 * @param aggregatorCount how many aggregators share the submissions
 * @param thresholdBps the stake share a certificate needs (at least the registry's threshold)
 * @param collectionWindow how long to keep collecting after the threshold is reached
 * @param submitGrace how long an aggregator that is not of record waits before submitting a
 *     certificate (or slashing evidence) the oracle does not have yet
 * @param submit whether certificates are submitted to the finality oracle at all
 * @param submitEveryL1Blocks the cadence on L1: the latest certified block is submitted once at
 *     least this many L1 blocks have passed since the oracle's last finalization of the rollup (0:
 *     every certified block is submitted, the cost docs/benchmarks.md shows per block)
 * @param submitOnRequest whether FinalityOracle.FinalityRequested events make the aggregator submit
 *     the requested block's certificate at once
 * @param pollInterval how often the L2 head is polled
 * @param maxAttestationBytes the attestation intake's request size limit
 * @param postAttempts how many times an attestation is offered to one aggregator at most
 * @param rpcTimeout timeout of one L2 request or attestation POST
 * @param epochLag how far an L1 epoch boundary block must lie before an L2 block's timestamp to
 *     count for that block's {@code stakeEpoch} (see {@link EpochClock}); more than any honest
 *     operator's L1 view lags behind the L1 head
 * @param sequencedConfirmations for a rollup this node's squad duty sequences: how many L1 blocks
 *     must confirm the slot commitment naming an L2 block (1: mined) before this operator attests
 *     the block; each more survives one block deeper an L1 reorg of the commitment (see {@link
 *     org.avsnode.operator.spi.SequencedFinality#committed})
 * @param sequencerInboxes rollup id → the SequencerInbox of a rollup SQUAD sequences, for a node
 *     that does not run the squad duty of that rollup: its blocks are attested only once committed
 *     there with {@code sequencedConfirmations} (read from L1, see {@link InboxCommitments}). Used
 *     only where the slashing coordinator registers no inbox for the rollup ({@link
 *     SequencerInboxes}): the coordinator's registration is found without it
 */
public record MachConfig(
    Map<Long, URI> rollups,
    String registry,
    String finalityOracle,
    String slashingCoordinator,
    long operatorSetId,
    List<URI> aggregators,
    boolean aggregator,
    int aggregatorRank,
    int aggregatorCount,
    int thresholdBps,
    Duration collectionWindow,
    Duration submitGrace,
    boolean submit,
    long submitEveryL1Blocks,
    boolean submitOnRequest,
    Duration pollInterval,
    int maxAttestationBytes,
    int postAttempts,
    Duration rpcTimeout,
    Duration epochLag,
    int sequencedConfirmations,
    Map<Long, String> sequencerInboxes) {

  private static final Set<String> KEYS =
      Set.of(
          "rollups",
          "registry",
          "finality-oracle",
          "slashing-coordinator",
          "operator-set-id",
          "aggregators",
          "aggregator",
          "aggregator-rank",
          "aggregator-count",
          "threshold-bps",
          "collection-window",
          "submit-grace",
          "submit",
          "submit-every-l1-blocks",
          "submit-on-request",
          "poll-interval",
          "max-attestation-bytes",
          "post-attempts",
          "rpc-timeout",
          "epoch-lag",
          "sequenced-confirmations",
          "sequencer-inboxes");

  /**
   * Three L1 blocks: on a 12 s L1 and 1 s L2 blocks one submission covers about 36 L2 blocks, so
   * about 8k gas per finalized L2 block at today's ~280k per submission.
   */
  public static final long DEFAULT_SUBMIT_EVERY_L1_BLOCKS = 3;

  /**
   * Three L1 blocks: the commitment's and two on top, so an L1 reorg of up to two blocks cannot
   * remove a commitment whose block this operator attested (about 36 s on a 12 s L1).
   */
  public static final int DEFAULT_SEQUENCED_CONFIRMATIONS = 3;

  /**
   * The most {@code sequenced-confirmations} allowed: the squad duty reads L1 reorgs of the last 32
   * blocks at least, and a commitment deeper than that is not followed.
   */
  public static final int MAX_SEQUENCED_CONFIRMATIONS = 32;

  private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

  public MachConfig {
    rollups = Map.copyOf(rollups);
    aggregators = List.copyOf(aggregators);
    sequencerInboxes = Map.copyOf(sequencerInboxes);
    for (Map.Entry<Long, String> e : sequencerInboxes.entrySet()) {
      if (!rollups.containsKey(e.getKey())) {
        throw new IllegalArgumentException(
            "mach: sequencer-inboxes names rollup " + e.getKey() + ", which is not in rollups");
      }
      if (e.getValue() == null || !ADDRESS.matcher(e.getValue()).matches()) {
        throw new IllegalArgumentException(
            "mach: sequencer-inboxes: not a 20-byte 0x address: " + e.getValue());
      }
    }
    if (rollups.isEmpty()) {
      throw new IllegalArgumentException(
          "mach: at least one rollup is needed (rollups=ID=URL,...)");
    }
    for (String a : new String[] {registry, finalityOracle, slashingCoordinator}) {
      if (a == null || !ADDRESS.matcher(a).matches()) {
        throw new IllegalArgumentException("mach: not a 20-byte 0x address: " + a);
      }
    }
    if (aggregatorCount < 1 || aggregatorRank < 0 || aggregatorRank >= aggregatorCount) {
      throw new IllegalArgumentException(
          "mach: aggregator-rank must be in [0, aggregator-count) and aggregator-count >= 1");
    }
    if (thresholdBps < 1 || thresholdBps > 10_000) {
      throw new IllegalArgumentException("mach: threshold-bps must be in 1..10000");
    }
    if (sequencedConfirmations < 1 || sequencedConfirmations > MAX_SEQUENCED_CONFIRMATIONS) {
      throw new IllegalArgumentException(
          "mach: sequenced-confirmations must be in 1.."
              + MAX_SEQUENCED_CONFIRMATIONS
              + " (1: the commitment is mined)");
    }
    if (maxAttestationBytes < 256 || postAttempts < 1) {
      throw new IllegalArgumentException(
          "mach: max-attestation-bytes must be >= 256 and post-attempts >= 1");
    }
  }

  /**
   * Parses the duty's section; the contract addresses, the operator set and the threshold default
   * to the deployment file's.
   *
   * @throws IllegalArgumentException naming the offending key
   */
  public static MachConfig parse(Map<String, String> section, Optional<Deployment> deployment) {
    Map<String, String> c = new LinkedHashMap<>();
    deployment.ifPresent(
        d -> {
          c.put("registry", d.contracts().avsRegistry());
          c.put("finality-oracle", d.contracts().finalityOracle());
          c.put("slashing-coordinator", d.contracts().slashingCoordinator());
          c.put("operator-set-id", Long.toString(d.operatorSetId()));
          c.put("threshold-bps", Integer.toString(d.thresholdBps()));
        });
    c.putAll(section);
    return parse(c);
  }

  /**
   * Parses the duty's section.
   *
   * @throws IllegalArgumentException naming the offending key
   */
  public static MachConfig parse(Map<String, String> section) {
    DutySection c = new DutySection("mach", section, KEYS);
    Map<Long, URI> rollups = new LinkedHashMap<>();
    c.idMap("rollups", "URL").forEach((id, url) -> rollups.put(id, c.uriValue("rollups", url)));
    Map<Long, String> inboxes = c.idMap("sequencer-inboxes", "ADDRESS");
    List<URI> aggregators = new ArrayList<>();
    for (String u : c.list("aggregators")) {
      aggregators.add(c.uriValue("aggregators", u));
    }
    return new MachConfig(
        rollups,
        c.string("registry", null),
        c.string("finality-oracle", null),
        c.string("slashing-coordinator", null),
        c.nonNegative("operator-set-id", 0),
        aggregators,
        c.bool("aggregator", false),
        (int) c.nonNegative("aggregator-rank", 0),
        (int) c.nonNegative("aggregator-count", 1),
        (int) c.nonNegative("threshold-bps", 6667),
        c.duration("collection-window", "300ms"),
        c.duration("submit-grace", "3s"),
        c.bool("submit", true),
        c.nonNegative("submit-every-l1-blocks", DEFAULT_SUBMIT_EVERY_L1_BLOCKS),
        c.bool("submit-on-request", true),
        c.duration("poll-interval", "200ms"),
        (int) c.nonNegative("max-attestation-bytes", 2048),
        (int) c.nonNegative("post-attempts", 8),
        c.duration("rpc-timeout", "5s"),
        c.duration("epoch-lag", "6s"),
        (int)
            Math.min(
                c.nonNegative("sequenced-confirmations", DEFAULT_SEQUENCED_CONFIRMATIONS),
                MAX_SEQUENCED_CONFIRMATIONS + 1),
        inboxes);
  }

  /** Whether certificates go to L1 by the cadence (else every certified block is submitted). */
  public boolean periodic() {
    return submitEveryL1Blocks > 0;
  }

  /**
   * Whether this aggregator makes the periodic submission that falls due at L1 block {@code due} at
   * once (else after the grace period): every aggregator derives {@code due} from the oracle's last
   * finalization, so they agree on it.
   */
  public boolean isRecordForDue(long due) {
    return Long.remainderUnsigned(due / Math.max(1, submitEveryL1Blocks), aggregatorCount)
        == aggregatorRank;
  }

  /** Whether this aggregator submits {@code height} at once (else after the grace period). */
  public boolean isRecordFor(long height) {
    return Long.remainderUnsigned(height, aggregatorCount) == aggregatorRank;
  }
}
