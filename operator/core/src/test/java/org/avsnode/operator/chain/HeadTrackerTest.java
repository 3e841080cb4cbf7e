package org.avsnode.operator.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.avsnode.operator.metrics.NoOpMetricsSystem;
import org.avsnode.operator.metrics.NodeMetrics;
import org.avsnode.operator.spi.Health;
import org.junit.jupiter.api.Test;

class HeadTrackerTest {

  /** An in-memory chain: blocks by number; forks replace the tail. */
  private static final class Chain implements HeadTracker.ChainReader {
    final List<BlockHeader> blocks = new ArrayList<>();
    int fork;
    L1Exception failWith;

    Chain(int length) {
      blocks.add(block(0, "0x" + "0".repeat(64), 0));
      extend(length - 1);
    }

    static String hash(long n, int fork) {
      return String.format("0x%056x%08x", n, fork);
    }

    BlockHeader block(long n, String parent, int forkId) {
      return new BlockHeader(n, hash(n, forkId), parent, 1000 + n, BigInteger.ONE);
    }

    void extend(int count) {
      for (int i = 0; i < count; i++) {
        BlockHeader tip = blocks.get(blocks.size() - 1);
        blocks.add(block(tip.number() + 1, tip.hash(), fork));
      }
    }

    /** Drops the last {@code depth} blocks and mines {@code newBlocks} on a new fork. */
    void reorg(int depth, int newBlocks) {
      for (int i = 0; i < depth; i++) {
        blocks.remove(blocks.size() - 1);
      }
      fork++;
      extend(newBlocks);
    }

    @Override
    public BlockHeader latest() {
      if (failWith != null) {
        throw failWith;
      }
      return blocks.get(blocks.size() - 1);
    }

    @Override
    public Optional<BlockHeader> byNumber(long number) {
      return number < blocks.size() ? Optional.of(blocks.get((int) number)) : Optional.empty();
    }
  }

  private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private final Chain chain = new Chain(10);
  private final List<HeadTracker.Reorg> reorgs = new ArrayList<>();
  private final List<Long> heads = new ArrayList<>();

  private HeadTracker tracker(int confirmations) {
    HeadTracker t =
        new HeadTracker(
            chain,
            confirmations,
            new NodeMetrics(new NoOpMetricsSystem()),
            clock,
            Duration.ofMinutes(1));
    t.addListener(
        new HeadTracker.Listener() {
          @Override
          public void onHead(BlockHeader head, Optional<BlockHeader> confirmed) {
            heads.add(head.number());
          }

          @Override
          public void onReorg(HeadTracker.Reorg reorg) {
            reorgs.add(reorg);
          }
        });
    return t;
  }

  @Test
  void followsTheHeadAndFillsGaps() {
    HeadTracker t = tracker(3);
    assertThat(t.health().status()).isEqualTo(Health.Status.DOWN);
    t.poll();
    assertThat(t.head().orElseThrow().number()).isEqualTo(9);
    assertThat(t.confirmedHead()).isEmpty(); // only one block known yet
    chain.extend(5);
    assertThat(t.poll()).isEmpty();
    assertThat(t.head().orElseThrow().number()).isEqualTo(14);
    assertThat(t.confirmedHead().orElseThrow().number()).isEqualTo(11);
    assertThat(t.poll()).isEmpty();
    assertThat(heads).containsExactly(9L, 14L);
    assertThat(reorgs).isEmpty();
    assertThat(t.health().status()).isEqualTo(Health.Status.UP);
  }

  @Test
  void detectsAReorgAndItsDepthAndCommonAncestor() {
    HeadTracker t = tracker(2);
    t.poll();
    chain.extend(5); // 14
    t.poll();
    BlockHeader oldHead = t.head().orElseThrow();
    chain.reorg(3, 4); // ancestor 11, new head 15
    HeadTracker.Reorg r = t.poll().orElseThrow();
    assertThat(r.depth()).isEqualTo(3);
    assertThat(r.oldHead()).isEqualTo(oldHead);
    assertThat(r.commonAncestor().orElseThrow().number()).isEqualTo(11);
    assertThat(r.newHead().number()).isEqualTo(15);
    assertThat(t.head().orElseThrow()).isEqualTo(chain.latest());
    assertThat(t.confirmedHead().orElseThrow()).isEqualTo(chain.byNumber(13).orElseThrow());
    assertThat(reorgs).containsExactly(r);
  }

  @Test
  void detectsAReorgToAShorterChainAndBackToAKnownBlock() {
    HeadTracker t = tracker(0);
    t.poll();
    chain.extend(4); // 13
    t.poll();
    chain.reorg(2, 1); // ancestor 11, new head 12 (shorter)
    HeadTracker.Reorg r = t.poll().orElseThrow();
    assertThat(r.depth()).isEqualTo(2);
    assertThat(r.commonAncestor().orElseThrow().number()).isEqualTo(11);
    chain.reorg(1, 0); // back to block 11, which the tracker knows
    HeadTracker.Reorg back = t.poll().orElseThrow();
    assertThat(back.depth()).isEqualTo(1);
    assertThat(t.head().orElseThrow().number()).isEqualTo(11);
  }

  @Test
  void aReorgDeeperThanTheWindowIsReportedAsALowerBound() {
    HeadTracker t = tracker(0);
    t.poll(); // window holds only block 9
    chain.reorg(1, 2); // new 9', 10' — parent of 9' is 8 which the tracker never saw
    HeadTracker.Reorg r = t.poll().orElseThrow();
    assertThat(r.commonAncestor()).isEmpty();
    assertThat(r.depth()).isGreaterThanOrEqualTo(1);
    assertThat(t.head().orElseThrow()).isEqualTo(chain.latest());
  }

  @Test
  void aFailedPollLeavesTheWindowAndReportsTheError() {
    HeadTracker t = tracker(0);
    t.poll();
    chain.failWith = new L1Exception(L1Exception.Kind.UNAVAILABLE, "x", "L1 down");
    assertThatThrownBy(t::poll).isInstanceOf(L1Exception.class);
    assertThat(t.head().orElseThrow().number()).isEqualTo(9);
    assertThat(t.health().status()).isEqualTo(Health.Status.PARTIAL);
    assertThat(t.health().detail()).contains("L1 down");
  }

  @Test
  void aHugeJumpRestartsTheWindowWithoutAReorg() {
    HeadTracker t = tracker(0);
    t.poll();
    chain.extend(500);
    assertThat(t.poll()).isEmpty();
    assertThat(t.head().orElseThrow().number()).isEqualTo(509);
  }
}
