package org.avsnode.vital;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.avsnode.bls.Hex;
import org.avsnode.operator.l2.L2Client;
import org.avsnode.operator.l2.L2Exception;

/**
 * The check of one commitment of a validity rollup (DESIGN.md §7). The node rebuilds the batch's
 * public inputs itself, from its own L2 node(s): the state root before the batch's first block, the
 * state root and hash of its last block, and the commitment to its transactions (keccak256 of the
 * transaction hashes of its blocks, in order). Then:
 *
 * <ul>
 *   <li>INVALID when the committed new state root is not the root of the node's own execution;
 *   <li>VALID when the commitment names exactly what the node rebuilt and a published proof
 *       verifies, through the rollup's own verifier (an {@code eth_call} on the operator's L1
 *       endpoint), with the public inputs the node rebuilt: never the prover's;
 *   <li>ABSTAIN otherwise, with the reason: the L2 sources lag, fail or disagree (retried), no
 *       proof verifies yet (retried until the proof deadline), the verifier cannot be reached
 *       (retried), or the commitment's other fields differ from the node's view (a root the node
 *       agrees with, bound to something else: neither verdict is safe).
 * </ul>
 *
 * With two L2 sources both must agree on everything rebuilt, as for optimistic rollups.
 */
final class ZkBatchChecker {

  /** One L2 endpoint, as this checker uses it. */
  interface Source {
    String name();

    long blockNumber();

    default long knownHead() {
      return -1;
    }

    Optional<L2Client.BlockTransactions> blockTransactions(long number);
  }

  /** What the rollup's verifier said of a proof. */
  enum Outcome {
    VERIFIES,
    REJECTED,
    UNREACHABLE
  }

  record Answer(Outcome outcome, String detail) {}

  /** The rollup's Groth16 verifier, called on L1. */
  interface Verifier {
    Answer verify(List<BigInteger> proof, List<BigInteger> publicInputs);
  }

  /** What the node rebuilt for a batch's blocks. */
  record Rebuilt(
      byte[] prevStateRoot, byte[] newStateRoot, byte[] lastBlockHash, byte[] txCommitment) {
    /** The circuit's public inputs: each value as (high 128 bits, low 128 bits). */
    List<BigInteger> publicInputs() {
      return ZkPublicInputs.limbs(prevStateRoot, newStateRoot, lastBlockHash, txCommitment);
    }

    boolean sameAs(Rebuilt o) {
      return Arrays.equals(prevStateRoot, o.prevStateRoot)
          && Arrays.equals(newStateRoot, o.newStateRoot)
          && Arrays.equals(lastBlockHash, o.lastBlockHash)
          && Arrays.equals(txCommitment, o.txCommitment);
    }
  }

  private final List<Source> sources;
  private final long finalityDepth;
  private final long maxBatchBlocks;
  private final Verifier verifier;
  private final java.util.function.Consumer<Answer> onProofChecked;

  /** Rebuilt batches by (first block, last block). */
  private final Map<String, Rebuilt> rebuilt =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Rebuilt> e) {
          return size() > 256;
        }
      };

  /** Proofs already found not to verify with what the node rebuilt, by proof log. */
  private final Map<String, String> rejected =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> e) {
          return size() > 1024;
        }
      };

  /** The proof each commitment was found VALID with, by commitment index. */
  private final Map<BigInteger, List<BigInteger>> verified =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<BigInteger, List<BigInteger>> e) {
          return size() > 256;
        }
      };

  /** The proof a commitment was found VALID with, if it was. */
  Optional<List<BigInteger>> verifiedProof(BigInteger commitmentIndex) {
    synchronized (verified) {
      return Optional.ofNullable(verified.get(commitmentIndex));
    }
  }

  ZkBatchChecker(
      List<Source> sources,
      long finalityDepth,
      long maxBatchBlocks,
      Verifier verifier,
      java.util.function.Consumer<Answer> onProofChecked) {
    if (sources.isEmpty() || sources.size() > 2) {
      throw new IllegalArgumentException("one or two L2 sources");
    }
    this.sources = List.copyOf(sources);
    this.finalityDepth = finalityDepth;
    this.maxBatchBlocks = maxBatchBlocks;
    this.verifier = verifier;
    this.onProofChecked = onProofChecked;
  }

  /**
   * The verdict on a commitment, given the proofs published for it so far.
   *
   * @param proofDeadlinePassed whether the time allowed for a proof has run out: a missing or
   *     failing proof is then a final ABSTAIN instead of a retried one
   */
  OutputChecker.Check check(ZkBatch b, List<ZkBatch.Proof> proofs, boolean proofDeadlinePassed) {
    long blocks = b.lastBlock() - b.firstBlock() + 1;
    if (blocks > maxBatchBlocks) {
      return OutputChecker.Check.abstain(
          "the batch names " + blocks + " L2 blocks, more than max-batch-blocks " + maxBatchBlocks,
          false);
    }
    Object r = rebuild(b);
    if (r instanceof OutputChecker.Check abstain) {
      return abstain;
    }
    Rebuilt mine = (Rebuilt) r;
    if (!Arrays.equals(mine.newStateRoot(), b.newStateRoot())) {
      return new OutputChecker.Check(
          OutputChecker.Verdict.INVALID,
          "committed state root "
              + Hex.toHexPrefixed(b.newStateRoot())
              + ", this node's execution "
              + Hex.toHexPrefixed(mine.newStateRoot())
              + " (L2 block "
              + b.lastBlock()
              + (sources.size() == 2 ? ", both L2 sources agree)" : ")"),
          false,
          mine.newStateRoot());
    }
    Rebuilt committed =
        new Rebuilt(b.prevStateRoot(), b.newStateRoot(), b.lastBlockHash(), b.txCommitment());
    if (!committed.sameAs(mine)) {
      return OutputChecker.Check.abstain(
          "the committed state root matches, but the commitment binds "
              + differences(committed, mine)
              + " other than this node's: no proof can verify for both",
          false);
    }
    List<BigInteger> inputs = mine.publicInputs();
    String last = null;
    for (ZkBatch.Proof p : proofs) {
      String known;
      synchronized (rejected) {
        known = rejected.get(p.logKey());
      }
      if (known != null) {
        last = known;
        continue;
      }
      Answer a = verifier.verify(p.words(), inputs);
      onProofChecked.accept(a);
      switch (a.outcome()) {
        case VERIFIES -> {
          synchronized (verified) {
            verified.put(b.commitmentIndex(), List.copyOf(p.words()));
          }
          return new OutputChecker.Check(
              OutputChecker.Verdict.VALID,
              "the proof published in L1 block "
                  + p.l1Block()
                  + " verifies with the public inputs this node rebuilt",
              false,
              mine.newStateRoot());
        }
        case REJECTED -> {
          last =
              "the proof published in L1 block "
                  + p.l1Block()
                  + " does not verify with the public inputs this node rebuilt ("
                  + a.detail()
                  + ")";
          synchronized (rejected) {
            rejected.put(p.logKey(), last);
          }
        }
        case UNREACHABLE -> {
          return OutputChecker.Check.abstain(
              "the rollup's verifier could not be reached: " + a.detail(), true);
        }
      }
    }
    String why = last != null ? last : "no proof published yet";
    if (proofDeadlinePassed) {
      return OutputChecker.Check.abstain("no valid proof before the deadline: " + why, false);
    }
    return OutputChecker.Check.abstain(why, true);
  }

  private static String differences(Rebuilt committed, Rebuilt mine) {
    List<String> d = new ArrayList<>();
    if (!Arrays.equals(committed.prevStateRoot(), mine.prevStateRoot())) {
      d.add("a previous state root");
    }
    if (!Arrays.equals(committed.lastBlockHash(), mine.lastBlockHash())) {
      d.add("a last block hash");
    }
    if (!Arrays.equals(committed.txCommitment(), mine.txCommitment())) {
      d.add("a transactions commitment");
    }
    return String.join(" and ", d);
  }

  /** What every source rebuilds for the batch's blocks, or the ABSTAIN why not. */
  Object rebuild(ZkBatch b) {
    String key = b.firstBlock() + ":" + b.lastBlock();
    synchronized (rebuilt) {
      Rebuilt known = rebuilt.get(key);
      if (known != null) {
        return known;
      }
    }
    List<Rebuilt> all = new ArrayList<>();
    for (Source s : sources) {
      Object r = rebuildFrom(s, b);
      if (r instanceof OutputChecker.Check abstain) {
        return abstain;
      }
      all.add((Rebuilt) r);
    }
    if (all.size() == 2 && !all.get(0).sameAs(all.get(1))) {
      return OutputChecker.Check.abstain(
          "the L2 sources disagree on blocks "
              + b.firstBlock()
              + ".."
              + b.lastBlock()
              + " ("
              + sources.get(0).name()
              + ", "
              + sources.get(1).name()
              + ")",
          true);
    }
    synchronized (rebuilt) {
      rebuilt.put(key, all.get(0));
    }
    return all.get(0);
  }

  private Object rebuildFrom(Source s, ZkBatch b) {
    try {
      long head = s.knownHead();
      if (head < b.lastBlock() + finalityDepth) {
        head = s.blockNumber();
      }
      if (head < b.lastBlock() + finalityDepth) {
        return OutputChecker.Check.abstain(
            s.name()
                + " is at block "
                + head
                + ": block "
                + b.lastBlock()
                + " is not final there yet (finality depth "
                + finalityDepth
                + ")",
            true);
      }
      Optional<L2Client.BlockTransactions> before = s.blockTransactions(b.firstBlock() - 1);
      if (before.isEmpty() || before.get().block().number() != b.firstBlock() - 1) {
        return OutputChecker.Check.abstain(
            s.name() + " does not have block " + (b.firstBlock() - 1), true);
      }
      List<byte[]> txs = new ArrayList<>();
      L2Client.BlockTransactions last = null;
      for (long n = b.firstBlock(); n <= b.lastBlock(); n++) {
        Optional<L2Client.BlockTransactions> bt = s.blockTransactions(n);
        if (bt.isEmpty() || bt.get().block().number() != n) {
          return OutputChecker.Check.abstain(s.name() + " does not have block " + n, true);
        }
        txs.addAll(bt.get().transactionHashes());
        last = bt.get();
      }
      return new Rebuilt(
          before.get().block().stateRoot(),
          last.block().stateRoot(),
          last.block().hash(),
          ZkPublicInputs.txCommitment(txs));
    } catch (L2Exception e) {
      return OutputChecker.Check.abstain(s.name() + ": " + e.getMessage(), true);
    } catch (RuntimeException e) {
      return OutputChecker.Check.abstain(s.name() + ": " + e, true);
    }
  }
}
