package org.avsnode.squad.leader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.avsnode.squad.l2.L2RpcException;
import org.junit.jupiter.api.Test;

/** The feed's bookkeeping against a pool that records what it was handed. */
class PoolFeedTest {
  private static final byte[] BASE = filled(32, 1);
  private static final byte[] OTHER_BASE = filled(32, 2);

  /** The pool's contents as an L2 node's FIFO pool would hold them; drops counted. */
  private static final class Recorder implements PoolFeed.Pool {
    final List<byte[]> pool = new ArrayList<>();
    int drops;
    boolean failNext;

    @Override
    public List<String> send(List<byte[]> rawTxs) throws L2RpcException {
      if (failNext) {
        failNext = false;
        pool.add(rawTxs.get(0)); // half taken, then the connection broke
        throw new L2RpcException("connection reset");
      }
      List<String> errors = new ArrayList<>();
      for (byte[] raw : rawTxs) {
        pool.add(raw);
        errors.add(raw[0] == 'x' ? "nonce too low" : null);
      }
      return errors;
    }

    @Override
    public void drop() {
      pool.clear();
      drops++;
    }
  }

  @Test
  void aSlotFedThroughoutIsTheBlocksStartInOrder() throws Exception {
    Recorder l2 = new Recorder();
    PoolFeed feed = started(l2);
    assertThat(feed.begin(5, BASE, 10, List.of(tx("f1"), tx("f2")), List.of(tx("c1")))).isTrue();
    assertThat(feed.preconfirmedSent(5)).isZero();
    feed.feed(5, 0, List.of(tx("p1"), tx("x2")));
    feed.feed(5, 2, List.of(tx("p3")));
    feed.feed(5, 1, List.of(tx("p2"))); // stale: position 1 was sent already
    feed.feed(4, 3, List.of(tx("q"))); // another slot
    assertThat(feed.preconfirmedSent(5)).isEqualTo(3);

    PoolFeed.Fed fed = feed.finish(5, BASE.clone(), 10, 1, List.of(tx("c1")), 4);

    assertThat(fed).isNotNull();
    assertThat(fed.forcedSent()).isEqualTo(2);
    assertThat(fed.preconfirmedSent()).isEqualTo(3);
    assertThat(fed.errors()).containsExactly(null, null, null, null, "nonce too low", null);
    assertThat(names(l2.pool)).containsExactly("f1", "f2", "c1", "p1", "x2", "p3");
    assertThat(l2.drops).isZero();
    // the seal took the slot: nothing more is fed for it
    assertThat(feed.preconfirmedSent(5)).isEqualTo(-1);
    feed.feed(5, 3, List.of(tx("p4")));
    assertThat(l2.pool).hasSize(6);
    feed.mined();
    l2.pool.clear();
    feed.clear();
    assertThat(l2.drops).as("a mined pool is not emptied").isZero();
  }

  @Test
  void aBlockThatIsNotThePoolsStartEmptiesThePool() throws Exception {
    record Case(String why, byte[] base, long cursor, int due, List<byte[]> carried) {}
    List<Case> cases =
        List.of(
            new Case("the base moved", OTHER_BASE, 10, 1, List.of(tx("c1"))),
            new Case("the queue moved", BASE, 11, 0, List.of(tx("c1"))),
            new Case("an item fell due during the slot", BASE, 10, 2, List.of(tx("c1"))),
            new Case("other carried transactions", BASE, 10, 1, List.of(tx("c2"))),
            new Case("no carried transactions", BASE, 10, 1, List.of()));
    for (Case c : cases) {
      Recorder l2 = new Recorder();
      PoolFeed feed = started(l2);
      feed.begin(5, BASE, 10, List.of(tx("f1")), List.of(tx("c1")));
      feed.feed(5, 0, List.of(tx("p1")));

      assertThat(feed.finish(5, c.base(), c.cursor(), c.due(), c.carried(), 1))
          .as(c.why())
          .isNull();
      assertThat(l2.pool).as(c.why()).isEmpty();
      assertThat(l2.drops).as(c.why()).isEqualTo(1);
    }
  }

  @Test
  void aFailedSendLeavesTheWholeBlockToTheSeal() throws Exception {
    Recorder l2 = new Recorder();
    PoolFeed feed = started(l2);
    feed.begin(7, BASE, 0, List.of(), List.of());
    feed.feed(7, 0, List.of(tx("p1")));
    l2.failNext = true;
    feed.feed(7, 1, List.of(tx("p2"), tx("p3")));
    assertThat(feed.preconfirmedSent(7)).isEqualTo(-1);
    feed.feed(7, 1, List.of(tx("p2")));

    assertThat(feed.finish(7, BASE, 0, 0, List.of(), 3)).isNull();
    assertThat(l2.pool).isEmpty();
    assertThat(l2.drops).isEqualTo(1);
  }

  @Test
  void aSealWithFewerTransactionsThanWereFedOrOfAnotherSlotIsNotFed() throws Exception {
    Recorder l2 = new Recorder();
    PoolFeed feed = started(l2);
    feed.begin(7, BASE, 0, List.of(), List.of());
    feed.feed(7, 0, List.of(tx("p1"), tx("p2")));
    assertThat(feed.finish(7, BASE, 0, 0, List.of(), 1)).isNull();
    assertThat(l2.pool).isEmpty();

    feed.begin(8, BASE, 0, List.of(), List.of());
    feed.feed(8, 0, List.of(tx("p3")));
    assertThat(feed.finish(6, BASE, 0, 0, List.of(), 1)).as("a takeover of slot 6").isNull();
    assertThat(l2.pool).isEmpty();
  }

  @Test
  void whatASlotLeftUnminedIsDroppedBeforeTheNextOneOrAnyOtherWrite() throws Exception {
    Recorder l2 = new Recorder();
    PoolFeed feed = started(l2);
    feed.begin(1, BASE, 0, List.of(), List.of());
    feed.feed(1, 0, List.of(tx("p1")));
    // the seal failed before mining: the next slot starts on an empty pool
    feed.begin(2, BASE, 0, List.of(tx("f1")), List.of());
    assertThat(names(l2.pool)).containsExactly("f1");
    assertThat(l2.drops).isEqualTo(1);
    feed.clear(); // the escape hatch, say
    assertThat(l2.pool).isEmpty();
    assertThat(feed.preconfirmedSent(2)).isEqualTo(-1);
    feed.clear();
    assertThat(l2.drops).as("an empty pool is not emptied again").isEqualTo(2);

    Recorder restarted = new Recorder();
    restarted.pool.add(tx("left by the node's previous run"));
    PoolFeed fresh = new PoolFeed(restarted);
    fresh.clear();
    assertThat(restarted.pool).as("what a previous run left is dropped first").isEmpty();
    fresh.clear();
    assertThat(restarted.drops).as("then a feed that sent nothing writes nothing").isEqualTo(1);
  }

  /** A feed past its first use (which empties whatever a previous run left); drops from then. */
  private static PoolFeed started(Recorder l2) throws Exception {
    PoolFeed feed = new PoolFeed(l2);
    feed.clear();
    l2.drops = 0;
    return feed;
  }

  private static byte[] tx(String name) {
    return name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  private static List<String> names(List<byte[]> raws) {
    List<String> out = new ArrayList<>();
    for (byte[] r : raws) {
      out.add(new String(r, java.nio.charset.StandardCharsets.US_ASCII));
    }
    return out;
  }

  private static byte[] filled(int n, int b) {
    byte[] a = new byte[n];
    Arrays.fill(a, (byte) b);
    return a;
  }
}
