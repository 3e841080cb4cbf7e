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
 * #precompute}) so the verdict is ready when the proposal is seen.
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
  private final Map<Long, byte[]> precomputed =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> e) {
          return size() > 256;
        }
      };

  private final java.util.function.LongSupplier nanos;

  /** Per block being precomputed: not before this time (nanos), so the head is not polled. */
  private final Map<Long, Long> notBefore = new java.util.HashMap<>();

  /** Each source counts its own requests (see {@link L2Endpoint}). */
  OutputChecker(List<Source> sources, long finalityDepth) {
    this(sources, finalityDepth, System::nanoTime);
  }

  OutputChecker(List<Source> sources, long finalityDepth, java.util.function.LongSupplier nanos) {
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
    Object r = agreedRoot(block);
    if (r instanceof byte[] root) {
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

  /** The verdict on {@code claimed} as the output root of L2 block {@code block}. */
  Check check(long block, byte[] claimed) {
    Object r;
    synchronized (this) {
      byte[] known = precomputed.get(block);
      r = known != null ? known : agreedRoot(block);
      if (r instanceof byte[] root) {
        precomputed.put(block, root);
      }
    }
    if (r instanceof Check abstain) {
      return abstain;
    }
    byte[] root = (byte[]) r;
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

  /** The root every source computes for {@code block}, or the ABSTAIN {@link Check} why not. */
  private Object agreedRoot(long block) {
    List<byte[]> roots = new ArrayList<>();
    for (Source s : sources) {
      Object r = rootFrom(s, block);
      if (r instanceof Check abstain) {
        return abstain;
      }
      roots.add((byte[]) r);
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
    return roots.get(0);
  }

  private Object rootFrom(Source s, long block) {
    try {
      long head = s.knownHead();
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
      return s.outputRoot(b.get());
    } catch (L2Exception e) {
      // a pruned state answers eth_getProof with an error: no verdict from this source
      return Check.abstain(s.name() + ": " + e.getMessage(), true);
    } catch (RuntimeException e) {
      return Check.abstain(s.name() + ": " + e, true);
    }
  }
}
