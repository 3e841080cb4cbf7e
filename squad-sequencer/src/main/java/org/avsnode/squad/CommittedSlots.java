package org.avsnode.squad;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.avsnode.squad.leader.SquadContracts;

/**
 * The inbox's commitments as this node last read them from L1, with the L1 reorgs that add or
 * remove some. The follower reads the logs of every L1 block above L1's finalized one again at
 * every poll (at least the last {@link #REORG_DEPTH}, at most the last {@link #MAX_REORG_WINDOW}),
 * with the new ones; a commitment logged in that window that the new reading no longer shows was
 * removed by a reorg (retracted), one it shows for the first time is added. A commitment older than
 * the window is final. Not thread-safe: the follower's thread only.
 */
final class CommittedSlots {
  /** L1 blocks read again at every poll at least (when L1 reports no finalized block, all). */
  static final int REORG_DEPTH = 32;

  /**
   * L1 blocks read again at every poll at most, however far L1's finalized block lags (an L1 that
   * has not finalized for hours): deeper reorgs are then not followed.
   */
  static final int MAX_REORG_WINDOW = 1_024;

  /** What one reading changed. */
  record Changes(
      List<SquadContracts.Commitment> added, List<SquadContracts.Commitment> retracted) {}

  /** Live commitments by slot (one per slot at a time). */
  private final TreeMap<Long, SquadContracts.Commitment> live = new TreeMap<>();

  private final int keep;

  CommittedSlots(int keep) {
    this.keep = keep;
  }

  /**
   * The L1 block the next reading starts at, given the head, where the last one ended and L1's
   * finalized block ({@code -1}: not known): the block after the finalized one, or the last {@link
   * #REORG_DEPTH} if that is fewer, within the last {@link #MAX_REORG_WINDOW}.
   */
  static long scanFrom(long head, long nextUnread, long finalized) {
    long window = head - REORG_DEPTH;
    if (finalized >= 0) {
      window = Math.min(window, finalized + 1);
    }
    window = Math.max(window, head - MAX_REORG_WINDOW);
    return Math.max(0, Math.min(nextUnread, window));
  }

  /**
   * Applies a reading of the logs of L1 blocks {@code [from, head]}: every commitment this node
   * holds that was logged in that range and is not in {@code read} is retracted; every commitment
   * in {@code read} this node does not hold is added (replacing a retracted one of its slot).
   */
  Changes apply(long from, List<SquadContracts.Commitment> read) {
    List<SquadContracts.Commitment> retracted = new ArrayList<>();
    Iterator<SquadContracts.Commitment> it = live.values().iterator();
    while (it.hasNext()) {
      SquadContracts.Commitment c = it.next();
      if (c.l1Block() >= from && read.stream().noneMatch(x -> same(x, c))) {
        it.remove();
        retracted.add(c);
      }
    }
    List<SquadContracts.Commitment> added = new ArrayList<>();
    for (SquadContracts.Commitment c : read) {
      SquadContracts.Commitment held = live.get(c.slot());
      if (held != null && same(held, c)) {
        continue;
      }
      if (held != null) {
        retracted.add(held); // a slot committed again: only after a reorg removed the first
      }
      live.put(c.slot(), c);
      added.add(c);
    }
    while (live.size() > keep) {
      live.pollFirstEntry();
    }
    return new Changes(List.copyOf(added), List.copyOf(retracted));
  }

  /** The live commitment of {@code slot}, or null. */
  SquadContracts.Commitment of(long slot) {
    return live.get(slot);
  }

  /** The live commitment naming L2 block {@code blockHash}, or null. */
  SquadContracts.Commitment naming(byte[] blockHash) {
    for (SquadContracts.Commitment c : live.descendingMap().values()) {
      if (Arrays.equals(c.blockHash(), blockHash)) {
        return c;
      }
    }
    return null;
  }

  /**
   * The live commitment of the highest slot logged at or below L1 block {@code l1Block}, or null
   * (the inbox takes slots in order, so no later slot is logged earlier).
   */
  SquadContracts.Commitment latestLoggedBy(long l1Block) {
    for (SquadContracts.Commitment c : live.descendingMap().values()) {
      if (c.l1Block() <= l1Block) {
        return c;
      }
    }
    return null;
  }

  /**
   * The slot after which a leader carries the preconfirmed transactions of slots that have no block
   * ({@code SquadDuty#orphaned}): {@code lastCommitted}, or, when the escape hatch committed it
   * (its block holds the due forced items only and carries nothing), the latest commitment below
   * that is not the hatch's, so that the slots left without a block before an escape commitment are
   * carried too. Not below {@code lastCommitted - maxBack}; and not below an escape commitment when
   * this view holds no commitment under it (whether the slots there have a block is not known).
   */
  long carryAfter(long lastCommitted, long maxBack) {
    return carryAfter(live, lastCommitted, maxBack);
  }

  /** {@link #carryAfter(long, long)} over {@code live}, the commitments by slot. */
  static long carryAfter(
      java.util.NavigableMap<Long, SquadContracts.Commitment> live,
      long lastCommitted,
      long maxBack) {
    long t = lastCommitted;
    while (true) {
      SquadContracts.Commitment c = live.get(t);
      if (c == null || c.rank() != SquadContracts.ESCAPE_RANK) {
        return t;
      }
      Long below = live.lowerKey(t);
      if (below == null) {
        return t;
      }
      if (below < lastCommitted - maxBack) {
        return lastCommitted - maxBack;
      }
      t = below;
    }
  }

  Map<Long, SquadContracts.Commitment> view() {
    return java.util.Collections.unmodifiableMap(live);
  }

  static boolean same(SquadContracts.Commitment a, SquadContracts.Commitment b) {
    return a.slot() == b.slot()
        && a.l1Block() == b.l1Block()
        && Arrays.equals(a.blockHash(), b.blockHash())
        && a.committer().equals(b.committer());
  }
}
