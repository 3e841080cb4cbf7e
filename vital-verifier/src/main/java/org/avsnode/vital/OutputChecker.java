package org.avsnode.vital;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.avsnode.bls.Hex;
import org.avsnode.operator.l2.L2Block;
import org.avsnode.operator.l2.L2Exception;

/**
 * Recomputes the output root v0 of an L2 block from the operator's own L2 node(s) and compares it
 * with the root a rollup posted. With two sources a verdict needs both: a source that lags, has
 * pruned the state, fails or disagrees with the other makes the check ABSTAIN with the reason,
 * never INVALID (nor VALID). Roots of blocks a proposal is expected at are computed ahead ({@link
 * #precompute}) so the verdict is ready when the proposal is seen; a root computed ahead is kept
 * with the hash of the block it was computed from, and used only while every source still has that
 * block at that height (a sequencer may replace an L2 block after its root was computed: the
 * devnet's SQUAD re-sequences a block whose L1 commitment a reorg removed).
 */
final class OutputChecker {

  /** One L2 endpoint, as the checker uses it. */
  interface Source {
    String name();

    long blockNumber();

    Optional<L2Block> block(long number);

    byte[] outputRoot(L2Block block);

    /**
     * How long until this source's head is likely to reach {@code block}, from the block rate it
     * has shown (0 when it is there or the rate is not known yet).
     */
    default long nanosUntil(long block) {
      return 0;
    }

    /**
     * The head this source answered last, without a request (-1 when none): a block at or below it
     * minus the finality depth is final there already, whichever rollup asked.
     */
    default long knownHead() {
      return -1;
    }
  }

  /** The shortest pause between two precompute attempts of one block. */
  static final long MIN_RETRY_NANOS = 200_000_000L;

  /**
   * The longest (a stalled L2 makes the block-rate estimate long; a proposal is checked anyway).
   */
  static final long MAX_WAIT_NANOS = 30_000_000_000L;

  enum Verdict {
    VALID,
    INVALID,
    ABSTAIN
  }

  /**
   * @param retryable true when asking again later may give a verdict (the block not final yet, a
   *     source lagging or failing)
   * @param computed the root the sources agree on, when they do
   */
  record Check(Verdict verdict, String reason, boolean retryable, byte[] computed) {
    static Check abstain(String reason, boolean retryable) {
      return new Check(Verdict.ABSTAIN, reason, retryable, null);
    }
  }

  private final List<Source> sources;
  private final long finalityDepth;

  /** A root every source computed for a block, and the block's hash at each source, in order. */
  private record Agreed(byte[] root, List<byte[]> blockHashes) {}

  /** What one source computed for a block: the root and the hash of the block it read. */
  private record Computed(byte[] root, byte[] blockHash) {}

  private final Map<Long, Agreed> precomputed =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Agreed> e) {
          return size() > 256;
        }
      };

  private final java.util.function.LongSupplier nanos;

  private final java.util.function.LongSupplier sequencedFinal;

  /** Per block being precomputed: not before this time (nanos), so the head is not polled. */
  private final Map<Long, Long> notBefore = new java.util.HashMap<>();

  /** Each source counts its own requests (see {@link L2Endpoint}). */
  OutputChecker(List<Source> sources, long finalityDepth) {
    this(sources, finalityDepth, System::nanoTime);
  }

  OutputChecker(List<Source> sources, long finalityDepth, java.util.function.LongSupplier nanos) {
    this(sources, finalityDepth, nanos, () -> Long.MAX_VALUE);
  }

  /**
   * @param sequencedFinal the highest L2 block the rollup's sequencers hold final (SQUAD: its
   *     commitment is in a finalized L1 block; see {@link
   *     org.avsnode.operator.spi.SequencedFinality}), {@code Long.MAX_VALUE} when no sequencing
   *     duty answers for the rollup: a block above it is not judged (nor computed ahead) yet, and a
   *     block at or below it is final by L1, so {@code finalityDepth} does not apply to it and the
   *     sources' heads are not asked
   */
  OutputChecker(
      List<Source> sources,
      long finalityDepth,
      java.util.function.LongSupplier nanos,
      java.util.function.LongSupplier sequencedFinal) {
    this.sequencedFinal = sequencedFinal;
    this.nanos = nanos;
    if (sources.isEmpty() || sources.size() > 2) {
      throw new IllegalArgumentException("one or two L2 sources");
    }
    this.sources = List.copyOf(sources);
    this.finalityDepth = finalityDepth;
  }

  /**
   * Computes and keeps the root of {@code block} when every source has it final; quiet. While it is
   * not final, the next attempt waits for most of the time the slowest source should take to get
   * there at the block rate it has shown, so a proposal every N blocks costs a few head requests,
   * not one per poll.
   */
  synchronized void precompute(long block) {
    if (precomputed.containsKey(block)) {
      return;
    }
    long now = nanos.getAsLong();
    Long wait = notBefore.get(block);
    if (wait != null && now < wait) {
      return;
    }
    long sequenced = sequencedFinal.getAsLong();
    if (sequenced != Long.MAX_VALUE && block > sequenced) {
      return; // its sequencers may still replace it; known without a request, asked at every poll
    }
    Object r = agreedRoot(block, sequenced != Long.MAX_VALUE);
    if (r instanceof Agreed root) {
      precomputed.put(block, root);
      notBefore.remove(block);
      return;
    }
    long until = 0;
    for (Source s : sources) {
      until = Math.max(until, s.nanosUntil(block + finalityDepth));
    }
    // a little past the estimate: one look usually finds the block (a look too early costs a
    // second one; a look a little late costs nothing, the proposal comes seconds after the block)
    long pause = until == 0 ? 0 : until + until / 20 + MIN_RETRY_NANOS / 4;
    notBefore.put(block, now + Math.max(MIN_RETRY_NANOS, Math.min(MAX_WAIT_NANOS, pause)));
    while (notBefore.size() > 64) {
      notBefore.remove(notBefore.keySet().iterator().next());
    }
  }

  boolean isPrecomputed(long block) {
    synchronized (this) {
      return precomputed.containsKey(block);
    }
  }

  /**
   * The verdict on {@code claimed} as the output root of L2 block {@code block}; none (ABSTAIN, to
   * be retried) while the block is above what the rollup's sequencers hold final. A root computed
   * ahead costs one request per source (the block, to see that its hash has not changed since);
   * when a source has another block at that height now, the root is computed again.
   */
  Check check(long block, byte[] claimed) {
    long sequenced = sequencedFinal.getAsLong();
    if (block > sequenced) {
      // the sequencers may still replace it: a root judged now could be of a block the final
      // chain does not hold (no request is made; checked again at the next poll)
      return Check.abstain(
          "block "
              + block
              + " is not final by its sequencers yet (final up to block "
              + sequenced
              + ")",
          true);
    }
    Object r;
    synchronized (this) {
      Agreed known = precomputed.get(block);
      r = known != null ? stillCurrent(block, known) : null;
      if (r == null) {
        precomputed.remove(block);
        r = agreedRoot(block, sequenced != Long.MAX_VALUE);
      }
      if (r instanceof Agreed root) {
        precomputed.put(block, root);
      }
    }
    if (r instanceof Check abstain) {
      return abstain;
    }
    byte[] root = ((Agreed) r).root();
    if (Arrays.equals(root, claimed)) {
      return new Check(Verdict.VALID, "the posted root matches", false, root);
    }
    return new Check(
        Verdict.INVALID,
        "posted "
            + Hex.toHexPrefixed(claimed)
            + ", computed "
            + Hex.toHexPrefixed(root)
            + (sources.size() == 2 ? " (both L2 sources agree)" : ""),
        false,
        root);
  }

  /**
   * {@code known} when every source still has the block it was computed from at {@code block}; null
   * when one has another block there now (replaced: compute again); the ABSTAIN {@link Check} when
   * a source cannot say.
   */
  private Object stillCurrent(long block, Agreed known) {
    for (int i = 0; i < sources.size(); i++) {
      Source s = sources.get(i);
      Optional<L2Block> b;
      try {
        b = s.block(block);
      } catch (L2Exception e) {
        return Check.abstain(s.name() + ": " + e.getMessage(), true);
      } catch (RuntimeException e) {
        return Check.abstain(s.name() + ": " + e, true);
      }
      if (b.isEmpty()
          || b.get().number() != block
          || !Arrays.equals(b.get().hash(), known.blockHashes().get(i))) {
        return null;
      }
    }
    return known;
  }

  /**
   * The root every source computes for {@code block}, or the ABSTAIN {@link Check} why not.
   *
   * @param finalBySequencers the rollup's sequencers hold {@code block} final (the callers have
   *     ruled out a block above what they hold final)
   */
  private Object agreedRoot(long block, boolean finalBySequencers) {
    List<byte[]> roots = new ArrayList<>();
    List<byte[]> hashes = new ArrayList<>();
    for (Source s : sources) {
      Object r = rootFrom(s, block, finalBySequencers);
      if (r instanceof Check abstain) {
        return abstain;
      }
      roots.add(((Computed) r).root());
      hashes.add(((Computed) r).blockHash());
    }
    if (roots.size() == 2 && !Arrays.equals(roots.get(0), roots.get(1))) {
      return Check.abstain(
          "the L2 sources disagree on block "
              + block
              + ": "
              + sources.get(0).name()
              + " computes "
              + Hex.toHexPrefixed(roots.get(0))
              + ", "
              + sources.get(1).name()
              + " "
              + Hex.toHexPrefixed(roots.get(1)),
          true);
    }
    return new Agreed(roots.get(0), List.copyOf(hashes));
  }

  /**
   * @param sequencedFinal the block is final by its sequencers: its finality comes from L1, not
   *     from how deep it is on this source, so the source's head is not asked
   */
  private Object rootFrom(Source s, long block, boolean sequencedFinal) {
    try {
      long head = sequencedFinal ? Long.MAX_VALUE : s.knownHead();
      if (head < block + finalityDepth) {
        head = s.blockNumber(); // not known final yet: ask
      }
      if (head < block + finalityDepth) {
        return Check.abstain(
            s.name()
                + " is at block "
                + head
                + ": block "
                + block
                + " is not final there yet (finality depth "
                + finalityDepth
                + ")",
            true);
      }
      Optional<L2Block> b = s.block(block);
      if (b.isEmpty()) {
        return Check.abstain(s.name() + " does not have block " + block, true);
      }
      if (b.get().number() != block) {
        return Check.abstain(
            s.name() + " answered block " + b.get().number() + " for block " + block, true);
      }
      return new Computed(s.outputRoot(b.get()), b.get().hash());
    } catch (L2Exception e) {
      // a pruned state answers eth_getProof with an error: no verdict from this source
      return Check.abstain(s.name() + ": " + e.getMessage(), true);
    } catch (RuntimeException e) {
      return Check.abstain(s.name() + ": " + e, true);
    }
  }
}
