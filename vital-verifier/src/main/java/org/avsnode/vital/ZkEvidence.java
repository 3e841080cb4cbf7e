package org.avsnode.vital;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.avsnode.bls.Hex;
import org.avsnode.bls.eip712.OutputVerdict;
import org.avsnode.operator.quorum.SignedMessage;

/**
 * The verdicts on a validity rollup's commitments that a proof may later contradict (DESIGN.md §4:
 * "a quorum verdict contradicted by a validity proof"), kept by an aggregator until this node has a
 * proof that verifies with the public inputs it rebuilt itself:
 *
 * <ul>
 *   <li>INVALID on the root the proof binds (a commitment this node found VALID);
 *   <li>VALID on another commitment of the same batch and L2 blocks, with another root (a root the
 *       proof replaced).
 * </ul>
 *
 * Each such verdict is evidence for {@code SlashingCoordinator.slashZkVerdict}; the coordinator
 * checks the proof through the rollup's own verifier and the signature against the operator's
 * registered key, so what is kept here is only a candidate. Bounded: the latest {@link
 * #MAX_COMMITMENTS} commitments, one verdict per operator and verdict value on each.
 */
final class ZkEvidence {
  static final int MAX_COMMITMENTS = 256;

  /** A verdict and the proof that contradicts it. */
  record Candidate(
      SignedMessage<OutputVerdict> verdict, BigInteger provenCommitment, List<BigInteger> proof) {
    String key() {
      OutputVerdict v = verdict.message();
      return Hex.toHexPrefixed(verdict.operator()) + "/" + v.rollupId() + "/" + v.outputIndex();
    }
  }

  private record Proven(ZkBatch batch, List<BigInteger> proof) {}

  /** rollup/commitment → operator/valid → the signed verdict. */
  private final Map<String, Map<String, SignedMessage<OutputVerdict>>> verdicts =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(
            Map.Entry<String, Map<String, SignedMessage<OutputVerdict>>> e) {
          return size() > MAX_COMMITMENTS;
        }
      };

  /** rollup/commitment → the batch and a proof that verifies with what this node rebuilt. */
  private final Map<String, Proven> proven =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Proven> e) {
          return size() > MAX_COMMITMENTS;
        }
      };

  /** rollup/commitment → its batch, for the commitments verdicts were kept on. */
  private final Map<String, ZkBatch> batches = new ConcurrentHashMap<>();

  private final Set<String> done = ConcurrentHashMap.newKeySet();

  /** A verdict an aggregator admitted, on a commitment {@code b} of a validity rollup. */
  synchronized void offer(SignedMessage<OutputVerdict> v, ZkBatch b) {
    OutputVerdict m = v.message();
    String c = m.rollupId() + "/" + m.outputIndex();
    batches.put(c, b);
    verdicts
        .computeIfAbsent(c, k -> new LinkedHashMap<>())
        .putIfAbsent(Hex.toHexPrefixed(v.operator()) + "/" + m.valid(), v);
    batches.keySet().retainAll(verdicts.keySet());
  }

  /** This node found commitment {@code b} VALID with {@code proof}. */
  synchronized void proven(long rollupId, ZkBatch b, List<BigInteger> proof) {
    proven.put(rollupId + "/" + b.commitmentIndex(), new Proven(b, List.copyOf(proof)));
  }

  /** The contradicted verdicts not marked {@link #done} yet. */
  synchronized List<Candidate> candidates() {
    List<Candidate> out = new ArrayList<>();
    for (Map.Entry<String, Map<String, SignedMessage<OutputVerdict>>> e : verdicts.entrySet()) {
      ZkBatch named = batches.get(e.getKey());
      if (named == null) {
        continue;
      }
      for (SignedMessage<OutputVerdict> v : e.getValue().values()) {
        OutputVerdict m = v.message();
        for (Map.Entry<String, Proven> p : proven.entrySet()) {
          ZkBatch b = p.getValue().batch();
          if (!p.getKey().startsWith(m.rollupId() + "/")
              || b.batchNumber() != named.batchNumber()
              || b.firstBlock() != named.firstBlock()
              || b.lastBlock() != named.lastBlock()) {
            continue;
          }
          boolean sameRoot = Arrays.equals(m.outputRoot(), b.newStateRoot());
          if (m.valid() == sameRoot) {
            continue; // VALID on the proven root, or INVALID on another: not contradicted
          }
          Candidate c = new Candidate(v, b.commitmentIndex(), p.getValue().proof());
          if (!done.contains(c.key())) {
            out.add(c);
          }
          break;
        }
      }
    }
    return out;
  }

  /** The candidate was submitted, refused for good or found used already. */
  void done(Candidate c) {
    done.add(c.key());
  }
}
