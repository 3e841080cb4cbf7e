package org.avsnode.mach;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import org.avsnode.operator.l2.L2Block;
import org.avsnode.operator.l2.L2Client;

/**
 * Which L2 blocks of a rollup SQUAD sequences are committed on L1 with enough confirmations, read
 * from L1 and the operator's own L2 node alone: for a node that runs MACH without the squad duty of
 * that rollup. The inbox is the one the slashing coordinator registered for the rollup, else the
 * configured one ({@link SequencerInboxes}).
 *
 * <p>The inbox takes one block per slot and each builds on the last committed one, so the committed
 * blocks form one chain from the L2 genesis. The inbox's {@code lastBlockHash()} read at L1 block
 * {@code head − (confirmations − 1)} is the newest block committed with at least that many
 * confirmations; a block is committed with them when it is that block or one of its ancestors. The
 * follower reads block {@code n} by number from the L2 node; it counts as such an ancestor when the
 * node's block at the committed block's height is the committed block and {@code n} is not above
 * that height.
 */
final class InboxCommitments implements RollupFollower.Commitments {

  /** Reads the inbox's {@code lastBlockHash()} as of an L1 block (an {@code eth_call} there). */
  interface LastBlockHash {
    byte[] at(String inbox, long l1Block);
  }

  private final LongFunction<Optional<String>> inboxes;
  private final LongFunction<L2Client> l2;
  private final LongSupplier l1Head;
  private final LastBlockHash lastBlockHash;

  /**
   * Per rollup, the committed block last found on the L2 node: a hash names one block for good, so
   * while the inbox's answer stays the same (every poll between L1 blocks) it is not asked again.
   */
  private final Map<Long, L2Block> found = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param inboxes rollup id → its SequencerInbox address, empty for a rollup SQUAD does not
   *     sequence
   * @param l2 rollup id → the operator's own L2 node (the one MACH follows)
   * @param l1Head the L1 head as this node sees it
   */
  InboxCommitments(
      LongFunction<Optional<String>> inboxes,
      LongFunction<L2Client> l2,
      LongSupplier l1Head,
      LastBlockHash lastBlockHash) {
    this.inboxes = Objects.requireNonNull(inboxes, "inboxes");
    this.l2 = Objects.requireNonNull(l2, "l2");
    this.l1Head = Objects.requireNonNull(l1Head, "l1Head");
    this.lastBlockHash = Objects.requireNonNull(lastBlockHash, "lastBlockHash");
  }

  @Override
  public Optional<Boolean> committed(
      long rollupId, long l2BlockNumber, byte[] l2BlockHash, int confirmations) {
    Optional<String> registered = inboxes.apply(rollupId);
    if (registered.isEmpty()) {
      return Optional.empty();
    }
    String inbox = registered.get();
    long at = l1Head.getAsLong() - (Math.max(1, confirmations) - 1);
    if (at < 0) {
      return Optional.of(false);
    }
    byte[] last = lastBlockHash.at(inbox, at);
    L2Client node = l2.apply(rollupId);
    Optional<L2Block> committed = Optional.ofNullable(found.get(rollupId));
    if (committed.isEmpty() || !Arrays.equals(committed.get().hash(), last)) {
      committed = node.blockByHash(last);
      committed.ifPresent(b -> found.put(rollupId, b));
    }
    if (committed.isEmpty() || l2BlockNumber > committed.get().number()) {
      return Optional.of(false); // not committed yet (or the L2 node lacks the committed block)
    }
    long height = committed.get().number();
    if (l2BlockNumber == height) {
      return Optional.of(Arrays.equals(l2BlockHash, last));
    }
    // below it: the block read at that height is an ancestor if the node's chain holds it
    Optional<L2Block> there = node.block(height);
    return Optional.of(there.isPresent() && Arrays.equals(there.get().hash(), last));
  }
}
