package org.avsnode.squad.leader;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.avsnode.squad.l2.L2RpcException;

/**
 * Hands a slot's transactions to the leader's own L2 node while the slot is open, so that at the
 * seal only the last few and the mining are left. Without it the node took every transaction of the
 * slot at the seal, one batch after the slot's end: anvil takes about 250 µs of CPU per transaction
 * to admit it to its pool (2026-12-08, this machine), so a slot of 5,000 transactions spent over a
 * second of its 2 s commitment window on that, and the next slot could not open meanwhile.
 *
 * <p>At the slot's opening the feed sends the block's head: the forced-inclusion items due by the
 * time its commitment can land (read from the queue cursor as it stands, with a horizon taken from
 * the slot's end) and the transactions carried from earlier slots. Then, while the slot is open,
 * the preconfirmed transactions in the order they were accepted ({@link #feed}). At the seal,
 * {@link #finish} says whether what the pool holds is the block the seal would build: the same
 * base, the same queue cursor, no more forced items due than were sent, the same carried
 * transactions. If so the seal sends the rest and mines; if not (an item became due during the
 * slot, an L1 reorg moved the base, a send failed) the pool is emptied and the seal sends the whole
 * block in one go, as without the feed. Either way the block holds the forced items first, then the
 * carried, then the preconfirmed transactions in acceptance order.
 *
 * <p>Only for an L2 node this node alone writes to: on a shared one another node's mining would
 * take what this feed put in the pool. Every other write of this node to the L2 node (a takeover,
 * the escape hatch, a rollback) comes after {@link #clear}. Thread-safe: one feeding thread, the
 * slot clock's thread sealing.
 */
public final class PoolFeed {
  /** The L2 node's pool as the feed uses it. */
  public interface Pool {
    /** Hands the transactions to the pool in order; per transaction null, or the node's error. */
    List<String> send(List<byte[]> rawTxs) throws L2RpcException, java.io.IOException;

    /** Empties the pool. */
    void drop() throws L2RpcException, java.io.IOException;
  }

  /**
   * What the pool holds for a slot the seal may mine as it is.
   *
   * @param forcedSent how many forced items from the cursor were sent first
   * @param preconfirmedSent how many of the slot's preconfirmed transactions (in acceptance order)
   *     followed the carried ones
   * @param errors per transaction sent, in order (forced, carried, preconfirmed), null or the
   *     node's error
   */
  public record Fed(int forcedSent, int preconfirmedSent, List<String> errors) {}

  private final Pool pool;

  private long slot = -1;
  private byte[] base;
  private long cursor;
  private int forcedSent;
  private List<byte[]> carried = List.of();
  private int preconfirmedSent;
  private final List<String> errors = new ArrayList<>();
  private boolean broken;

  /**
   * Whether the pool may hold transactions nobody mined: this feed's, or at first whatever a
   * previous run of the node handed the L2 node before it stopped (emptied before the first use).
   */
  private boolean dirty = true;

  public PoolFeed(Pool pool) {
    this.pool = Objects.requireNonNull(pool, "pool");
  }

  /**
   * Starts feeding {@code slot}, built on {@code base}: empties the pool if this feed left anything
   * in it, then sends the due forced items (the queue's from {@code cursor}) and the carried
   * transactions. Returns false (and feeds nothing for the slot) when that fails.
   */
  public synchronized boolean begin(
      long slot, byte[] base, long cursor, List<byte[]> forcedRaws, List<byte[]> carried) {
    this.slot = -1;
    this.errors.clear();
    try {
      clearLocked();
      List<byte[]> head = new ArrayList<>(forcedRaws.size() + carried.size());
      head.addAll(forcedRaws);
      head.addAll(carried);
      if (!head.isEmpty()) {
        dirty = true;
        errors.addAll(pool.send(head));
      }
    } catch (L2RpcException | java.io.IOException | RuntimeException e) {
      return false;
    }
    this.slot = slot;
    this.base = base.clone();
    this.cursor = cursor;
    this.forcedSent = forcedRaws.size();
    this.carried = List.copyOf(carried);
    this.preconfirmedSent = 0;
    this.broken = false;
    return true;
  }

  /** How many of {@code slot}'s preconfirmed transactions were sent, or -1 if it is not fed. */
  public synchronized int preconfirmedSent(long slot) {
    return this.slot == slot && !broken ? preconfirmedSent : -1;
  }

  /**
   * Sends {@code raws}, the slot's preconfirmed transactions from position {@code from} of its
   * acceptance order on; ignored unless the feed is at exactly that position of that slot (a stale
   * call after the seal took over). A failed send leaves the slot to be sent whole at the seal.
   */
  public synchronized void feed(long slot, int from, List<byte[]> raws) {
    if (this.slot != slot || broken || from != preconfirmedSent || raws.isEmpty()) {
      return;
    }
    try {
      dirty = true;
      List<String> e = pool.send(raws);
      if (e.size() != raws.size()) {
        broken = true;
        return;
      }
      errors.addAll(e);
      preconfirmedSent += raws.size();
    } catch (L2RpcException | java.io.IOException | RuntimeException e) {
      broken = true;
    }
  }

  /**
   * The seal of {@code slot} on {@code base}, with the queue at {@code cursor}, {@code due} items
   * due, {@code carried} to go first and {@code preconfirmed} transactions of the slot: what the
   * pool holds if it is that block's start (the seal then sends the rest and mines, and calls
   * {@link #mined}); otherwise null, the pool emptied, and the seal sends everything. The feed
   * stops feeding the slot either way.
   *
   * @throws L2RpcException when the pool had to be emptied and could not be
   */
  public synchronized Fed finish(
      long slot, byte[] base, long cursor, int due, List<byte[]> carried, int preconfirmed)
      throws L2RpcException, java.io.IOException {
    boolean same =
        this.slot == slot
            && !broken
            && Arrays.equals(this.base, base)
            && this.cursor == cursor
            && due <= forcedSent
            && preconfirmedSent <= preconfirmed
            && sameTransactions(this.carried, carried);
    this.slot = -1;
    if (same) {
      return new Fed(
          forcedSent,
          preconfirmedSent,
          java.util.Collections.unmodifiableList(new ArrayList<>(errors)));
    }
    clearLocked();
    return null;
  }

  /** The pool holds nothing this feed sent any more: a block took it. */
  public synchronized void mined() {
    dirty = false;
  }

  /**
   * Stops feeding and empties the pool if this feed left anything in it: before any other write to
   * the L2 node.
   */
  public synchronized void clear() throws L2RpcException, java.io.IOException {
    this.slot = -1;
    clearLocked();
  }

  private void clearLocked() throws L2RpcException, java.io.IOException {
    if (dirty) {
      pool.drop();
      dirty = false;
    }
  }

  private static boolean sameTransactions(List<byte[]> a, List<byte[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }
}
