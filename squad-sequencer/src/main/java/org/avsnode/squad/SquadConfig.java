package org.avsnode.squad;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.operator.spi.DutySection;

/**
 * The SQUAD duty's configuration section.
 *
 * @param rollupId the rollup this node sequences in turn
 * @param l2RpcUrl the operator's L2 node (for the devnet: anvil with automine off and FIFO order)
 * @param registry the AVS registry (default: the deployment file's)
 * @param operatorSetId the operator set the schedule draws from (default: the deployment file's)
 * @param schedule the rollup's {@code SlotSchedule}
 * @param inbox the rollup's {@code SequencerInbox}
 * @param queue the rollup's {@code ForcedInclusionQueue}
 * @param slashingCoordinator where a follower submits evidence of a broken preconfirmation
 *     (default: the deployment file's)
 * @param peers the other operators' node API base URLs by operator address (lower case), where a
 *     transaction sent to a node that does not lead the current slot is forwarded
 * @param maxTxBytes the largest raw transaction preconfirmed
 * @param maxTxPerSlot the most transactions preconfirmed for one slot
 * @param pollInterval how often the slot clock is checked
 * @param rpcTimeout timeout of each request to the L2 node and to a peer
 * @param l2LockFile a file shared by the operators whose nodes run on this machine and share one L2
 *     node (the devnet's operator processes): their writes to it take turns through an advisory
 *     lock on the file. Unset, only the nodes of one process take turns (an operator with an L2
 *     node of its own needs nothing)
 * @param l2Feed whether the leader hands its slot's transactions to the L2 node while the slot is
 *     open ({@link org.avsnode.squad.leader.PoolFeed}) rather than all at the seal; only for an L2
 *     node this node alone writes to (default: on unless {@code l2-lock-file} is set, which says
 *     the L2 node is shared; both at once is an error)
 */
public record SquadConfig(
    long rollupId,
    URI l2RpcUrl,
    String registry,
    long operatorSetId,
    String schedule,
    String inbox,
    String queue,
    String slashingCoordinator,
    Map<String, URI> peers,
    int maxTxBytes,
    int maxTxPerSlot,
    Duration pollInterval,
    Duration rpcTimeout,
    Optional<Path> l2LockFile,
    boolean l2Feed) {

  static final Set<String> KEYS =
      Set.of(
          "rollup-id",
          "l2-rpc-url",
          "registry",
          "operator-set-id",
          "schedule",
          "inbox",
          "queue",
          "slashing-coordinator",
          "peers",
          "max-tx-bytes",
          "max-tx-per-slot",
          "poll-interval",
          "rpc-timeout",
          "l2-lock-file",
          "l2-feed");

  public SquadConfig {
    peers = Map.copyOf(peers);
    l2LockFile = java.util.Objects.requireNonNull(l2LockFile, "l2LockFile");
    if (maxTxBytes < 100 || maxTxPerSlot < 1) {
      throw new IllegalArgumentException(
          "squad: max-tx-bytes must be >= 100 and max-tx-per-slot >= 1");
    }
  }

  /**
   * Parses the section; the registry and operator set default to the deployment file's.
   *
   * @throws IllegalArgumentException naming the offending key
   */
  public static SquadConfig parse(Map<String, String> section, Optional<Deployment> deployment) {
    Map<String, String> c = new LinkedHashMap<>();
    deployment.ifPresent(
        d -> {
          c.put("registry", d.contracts().avsRegistry());
          c.put("operator-set-id", Long.toString(d.operatorSetId()));
          c.put("slashing-coordinator", d.contracts().slashingCoordinator());
        });
    c.putAll(section);
    return parse(c);
  }

  /**
   * Parses the section.
   *
   * @throws IllegalArgumentException naming the offending key
   */
  public static SquadConfig parse(Map<String, String> section) {
    DutySection c = new DutySection("squad", section, KEYS);
    for (String required :
        new String[] {
          "rollup-id",
          "l2-rpc-url",
          "schedule",
          "inbox",
          "queue",
          "slashing-coordinator",
          "registry"
        }) {
      if (!c.has(required)) {
        throw c.error(required + " is required");
      }
    }
    Map<String, URI> peers = new LinkedHashMap<>();
    for (String part : c.list("peers")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw c.error("peers entries are ADDRESS=URL");
      }
      String address =
          new DutySection("squad", Map.of("peer", part.substring(0, eq)), Set.of("peer"))
              .address("peer", null);
      peers.put(address, c.uriValue("peers", part.substring(eq + 1)));
    }
    String lockFile = c.string("l2-lock-file", null);
    if (lockFile != null && lockFile.isEmpty()) {
      throw c.error("l2-lock-file is empty");
    }
    boolean l2Feed = c.bool("l2-feed", lockFile == null);
    if (l2Feed && lockFile != null) {
      throw c.error(
          "l2-feed needs an L2 node this node alone writes to; l2-lock-file says it is shared");
    }
    int maxTxBytes = (int) Math.min(Integer.MAX_VALUE, c.nonNegative("max-tx-bytes", 128 * 1024));
    int maxTxPerSlot = (int) Math.min(Integer.MAX_VALUE, c.nonNegative("max-tx-per-slot", 2_000));
    return new SquadConfig(
        c.nonNegative("rollup-id", 0),
        c.uriValue("l2-rpc-url", c.string("l2-rpc-url", null)),
        c.address("registry", null),
        c.nonNegative("operator-set-id", 0),
        c.address("schedule", null),
        c.address("inbox", null),
        c.address("queue", null),
        c.address("slashing-coordinator", null),
        peers,
        maxTxBytes,
        maxTxPerSlot,
        c.duration("poll-interval", "50ms"),
        c.duration("rpc-timeout", "2s"),
        Optional.ofNullable(lockFile).map(Path::of),
        l2Feed);
  }
}
