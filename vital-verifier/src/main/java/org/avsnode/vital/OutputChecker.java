package org.avsnode.vital;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
  }

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
  private final Runnable countCall;
  private final Map<Long, byte[]> precomputed =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> e) {
          return size() > 256;
        }
      };

  /**
   * @param countCall called once per L2 request (the RPC-calls-per-output metric)
   */
  OutputChecker(List<Source> sources, long finalityDepth, Runnable countCall) {
    if (sources.isEmpty() || sources.size() > 2) {
      throw new IllegalArgumentException("one or two L2 sources");
    }
    this.sources = List.copyOf(sources);
    this.finalityDepth = finalityDepth;
    this.countCall = Objects.requireNonNull(countCall, "countCall");
  }

  /** Computes and keeps the root of {@code block} when every source has it final; quiet. */
  synchronized void precompute(long block) {
    if (precomputed.containsKey(block)) {
      return;
    }
    Object r = agreedRoot(block);
    if (r instanceof byte[] root) {
      precomputed.put(block, root);
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
      countCall.run();
      long head = s.blockNumber();
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
      countCall.run();
      Optional<L2Block> b = s.block(block);
      if (b.isEmpty()) {
        return Check.abstain(s.name() + " does not have block " + block, true);
      }
      if (b.get().number() != block) {
        return Check.abstain(
            s.name() + " answered block " + b.get().number() + " for block " + block, true);
      }
      countCall.run();
      return s.outputRoot(b.get());
    } catch (L2Exception e) {
      // a pruned state answers eth_getProof with an error: no verdict from this source
      return Check.abstain(s.name() + ": " + e.getMessage(), true);
    } catch (RuntimeException e) {
      return Check.abstain(s.name() + ": " + e, true);
    }
  }
}
