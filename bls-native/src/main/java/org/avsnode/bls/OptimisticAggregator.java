package org.avsnode.bls;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.stream.IntStream;
import supranational.blst.P1;
import supranational.blst.P1_Affine;
import supranational.blst.P2;
import supranational.blst.P2_Affine;
import supranational.blst.PT;
import supranational.blst.Pairing;
import supranational.blst.blst;

/**
 * Aggregates many signatures over ONE message optimistically: add everything with the cheap
 * unchecked addition and verify once. Only if that fails, the invalid signatures are localised by
 * recursive halving that reuses partial sums: a failing range is split, the left half is summed
 * (the right half is the parent minus the left) and checked; when the left half is valid the right
 * half is known to be invalid without a check. Halves are searched in parallel. The message is
 * hashed to G2 once and every check is two Miller loops and one final exponentiation.
 *
 * <p>Preconditions: the public keys were validated at registration (they are {@link BlsPublicKey}
 * instances, so they were) and the signatures were decoded with their subgroup check ({@link
 * BlsSignature} instances always are). Keys must come with a proof of possession, which makes
 * same-message aggregation safe against rogue keys.
 *
 * <p>A note on what "invalid" means: the search tests sums, so two invalid signatures whose errors
 * cancel exactly (which needs the cooperation of both signers) are indistinguishable from two valid
 * ones; the resulting aggregate is nevertheless a valid signature of the aggregate key.
 */
public final class OptimisticAggregator {
  private static final int PARALLEL_MIN_RANGE = 64;

  /**
   * The search pool uses every core (the common pool leaves one to the caller, which on a two-core
   * machine would mean no parallelism at all). Its worker threads are daemons.
   */
  private static final ForkJoinPool POOL =
      new ForkJoinPool(Math.max(2, Runtime.getRuntime().availableProcessors()));

  private OptimisticAggregator() {}

  /**
   * The aggregation outcome. {@code aggregateSignature}/{@code aggregatePublicKey} cover exactly
   * the signatures at {@code validIndices}; both are null when no signature is valid.
   */
  public record Result(
      BlsSignature aggregateSignature,
      BlsPublicKey aggregatePublicKey,
      List<Integer> validIndices,
      List<Integer> invalidIndices) {
    public Result {
      validIndices = List.copyOf(validIndices);
      invalidIndices = List.copyOf(invalidIndices);
    }

    public boolean allValid() {
      return invalidIndices.isEmpty();
    }

    public boolean hasValid() {
      return !validIndices.isEmpty();
    }
  }

  /**
   * Like {@link #aggregate} but starts from the encoded signatures as received from the network:
   * the aggregator's hot path. Each signature is decoded in parallel with the length, flag and
   * on-curve checks only; the G2 subgroup check (about two thirds of a decode's cost) is made once,
   * on the aggregate that is returned, instead of once per signature. If that aggregate is not in
   * G2, the signatures it covers are subgroup-checked one by one, the offenders are reported
   * invalid and the rest is aggregated again. So the returned aggregate signature is always a
   * subgroup-checked point that verifies against the returned aggregate key, exactly as with {@link
   * #aggregate}. An encoding that does not decode counts as an invalid signature at its index.
   */
  public static Result aggregateEncoded(
      byte[] message, List<BlsPublicKey> publicKeys, List<byte[]> encodedSignatures) {
    BlstLoader.ensureLoaded();
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(encodedSignatures, "encodedSignatures");
    int n = encodedSignatures.size();
    if (publicKeys == null || publicKeys.size() != n) {
      throw new BlsException("public keys and signatures differ in number");
    }
    if (n == 0) {
      throw new BlsException("nothing to aggregate");
    }
    P2_Affine[] decoded = new P2_Affine[n];
    IntStream.range(0, n)
        .parallel()
        .forEach(i -> decoded[i] = decodeOnCurve(encodedSignatures.get(i)));
    boolean[] invalid = new boolean[n];
    for (int i = 0; i < n; i++) {
      invalid[i] = decoded[i] == null;
    }
    P1_Affine[] pks = new P1_Affine[n];
    for (int i = 0; i < n; i++) {
      pks[i] = Objects.requireNonNull(publicKeys.get(i), "public key").point();
    }
    Checker checker = checkerFor(message);
    Outcome out = search(checker, pks, decoded, invalid);
    if (out != null && !out.sigValid.to_affine().in_group()) {
      // a point outside G2 survived in the sum: check the surviving signatures one by one
      IntStream.range(0, n)
          .parallel()
          .filter(i -> !invalid[i] && !decoded[i].in_group())
          .forEach(i -> invalid[i] = true);
      out = search(checker, pks, decoded, invalid);
    }
    return toResult(out, invalid, publicKeys);
  }

  /** Flags and on-curve check only; null when the bytes do not encode a curve point. */
  private static P2_Affine decodeOnCurve(byte[] bytes) {
    if (bytes == null || bytes.length != BlsSignature.COMPRESSED_SIZE) {
      return null;
    }
    try {
      Encoding.checkCompressedFlags(bytes, "signature");
      P2_Affine p = new P2_Affine(bytes.clone());
      return p.is_inf() || p.on_curve() ? p : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Aggregates {@code signatures[i]} made by {@code publicKeys[i]} over {@code message}.
   *
   * @throws BlsException when the lists are empty or of different sizes
   */
  public static Result aggregate(
      byte[] message, List<BlsPublicKey> publicKeys, List<BlsSignature> signatures) {
    BlstLoader.ensureLoaded();
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(publicKeys, "publicKeys");
    Objects.requireNonNull(signatures, "signatures");
    int n = publicKeys.size();
    if (n == 0) {
      throw new BlsException("nothing to aggregate");
    }
    if (signatures.size() != n) {
      throw new BlsException("got " + n + " public keys but " + signatures.size() + " signatures");
    }
    P1_Affine[] pks = new P1_Affine[n];
    P2_Affine[] sigs = new P2_Affine[n];
    for (int i = 0; i < n; i++) {
      pks[i] = Objects.requireNonNull(publicKeys.get(i), "public key").point();
      sigs[i] = Objects.requireNonNull(signatures.get(i), "signature").point();
    }
    boolean[] invalid = new boolean[n];
    return toResult(search(checkerFor(message), pks, sigs, invalid), invalid, publicKeys);
  }

  private static Checker checkerFor(byte[] message) {
    return new Checker(new P2().hash_to(message, Bls.DST_SIG_STRING).to_affine());
  }

  /** Sums of the entries found valid; null when none is. */
  private record Outcome(P1 pkValid, P2 sigValid, int validCount) {}

  /**
   * Marks in {@code invalid} every entry (among those not already marked) whose signature does not
   * verify, and returns the sums of the rest. One check when everything is valid.
   */
  private static Outcome search(
      Checker checker, P1_Affine[] pks, P2_Affine[] sigs, boolean[] invalid) {
    int n = pks.length;
    int[] idx = IntStream.range(0, n).filter(i -> !invalid[i]).toArray();
    int m = idx.length;
    if (m == 0) {
      return null;
    }
    P1_Affine[] p = new P1_Affine[m];
    P2_Affine[] s = new P2_Affine[m];
    P1 pkTotal = new P1();
    P2 sigTotal = new P2();
    for (int j = 0; j < m; j++) {
      p[j] = pks[idx[j]];
      s[j] = sigs[idx[j]];
      pkTotal.add(p[j]);
      sigTotal.add(s[j]);
    }
    PT totalError = checker.error(pkTotal, sigTotal);
    if (totalError.is_one()) {
      return new Outcome(pkTotal, sigTotal, m);
    }
    boolean[] bad = new boolean[m];
    Search root = new Search(checker, p, s, bad, 0, m, pkTotal, sigTotal, totalError);
    if (m >= PARALLEL_MIN_RANGE) {
      POOL.invoke(root);
    } else {
      root.compute();
    }
    P1 pkBad = new P1();
    P2 sigBad = new P2();
    int badCount = 0;
    for (int j = 0; j < m; j++) {
      if (bad[j]) {
        invalid[idx[j]] = true;
        pkBad.add(p[j]);
        sigBad.add(s[j]);
        badCount++;
      }
    }
    if (badCount == m) {
      return null;
    }
    return new Outcome(
        pkTotal.dup().add(pkBad.neg()), sigTotal.dup().add(sigBad.neg()), m - badCount);
  }

  private static Result toResult(Outcome out, boolean[] invalid, List<BlsPublicKey> publicKeys) {
    List<Integer> valid = new ArrayList<>();
    List<Integer> bad = new ArrayList<>();
    for (int i = 0; i < invalid.length; i++) {
      (invalid[i] ? bad : valid).add(i);
    }
    if (out == null) {
      return new Result(null, null, List.of(), bad);
    }
    return new Result(
        BlsSignature.fromTrustedPoint(out.sigValid().to_affine()),
        valid.size() == 1
            ? publicKeys.get(valid.get(0))
            : BlsPublicKey.fromTrustedPoint(out.pkValid().to_affine()),
        valid,
        bad);
  }

  /**
   * The "error" of a set of (key, signature) pairs over the message: the reduced pairing product
   * e(Σpk, H(m)) · e(−G1, Σσ), which is 1 exactly when the sum verifies. H(m) is computed once.
   * Each evaluation is one two-pair Miller loop and one final exponentiation.
   */
  static final class Checker {
    private final P2_Affine hash;
    private final P1_Affine negG1 = blst.getBLS12_381_NEG_G1();

    Checker(P2_Affine hash) {
      this.hash = hash;
    }

    boolean valid(P1 pkSum, P2 sigSum) {
      return error(pkSum, sigSum).is_one();
    }

    PT error(P1 pkSum, P2 sigSum) {
      P1_Affine pk = pkSum.to_affine();
      P2_Affine sig = sigSum.to_affine();
      boolean pkInf = pk.is_inf();
      boolean sigInf = sig.is_inf();
      if (pkInf && sigInf) {
        return PT.one();
      }
      if (pkInf) {
        return new PT(sig, negG1).final_exp(); // e(O, H) = 1
      }
      if (sigInf) {
        return new PT(hash, pk).final_exp(); // e(G1, O) = 1
      }
      Pairing ctx = new Pairing(true, Bls.DST_SIG_STRING);
      ctx.raw_aggregate(hash, pk);
      ctx.raw_aggregate(sig, negG1);
      ctx.commit();
      return ctx.as_fp12().final_exp();
    }
  }

  /**
   * Finds the invalid entries of a range whose sum is known to fail.
   *
   * <p>Small ranges first try the hypothesis "exactly one invalid entry": with weights w = 1..m the
   * weighted error equals the plain error raised to the weight of the bad entry (GT has prime order
   * r > m, so the weight, hence the index, is unique). The candidate is then confirmed by checking
   * that the rest of the range verifies, so a wrong guess only costs time, never correctness. That
   * replaces about 1.5·log2(m) checks by two. Larger ranges, or ranges where the guess fails, are
   * halved: the left half is summed, the right half is the parent minus the left, and when the left
   * half is valid the right half's error equals the parent's, with no check.
   */
  private static final class Search extends RecursiveAction {
    private static final long serialVersionUID = 1L;
    private static final int SINGLE_GUESS_MAX = 128;
    private final transient Checker checker;
    private final transient P1_Affine[] pks;
    private final transient P2_Affine[] sigs;
    private final boolean[] invalid;
    private final int from;
    private final int to;
    private final transient P1 pkSum;
    private final transient P2 sigSum;
    private final transient PT error;

    Search(
        Checker checker,
        P1_Affine[] pks,
        P2_Affine[] sigs,
        boolean[] invalid,
        int from,
        int to,
        P1 pkSum,
        P2 sigSum,
        PT error) {
      this.checker = checker;
      this.pks = pks;
      this.sigs = sigs;
      this.invalid = invalid;
      this.from = from;
      this.to = to;
      this.pkSum = pkSum;
      this.sigSum = sigSum;
      this.error = error;
    }

    private Search child(int lo, int hi, P1 pk, P2 sig, PT err) {
      return new Search(checker, pks, sigs, invalid, lo, hi, pk, sig, err);
    }

    @Override
    protected void compute() {
      if (to - from == 1) {
        invalid[from] = true; // distinct indices: each slot is written by one task only
        return;
      }
      if (to - from <= SINGLE_GUESS_MAX && error != null && confirmedSingle()) {
        return;
      }
      int mid = (from + to) >>> 1;
      P1 pkLeft = new P1();
      P2 sigLeft = new P2();
      for (int i = from; i < mid; i++) {
        pkLeft.add(pks[i]);
        sigLeft.add(sigs[i]);
      }
      P1 pkRight = pkSum.dup().add(pkLeft.dup().neg());
      P2 sigRight = sigSum.dup().add(sigLeft.dup().neg());
      boolean parallel = to - from >= PARALLEL_MIN_RANGE && getPool() != null;
      if (parallel) {
        // Evaluate both halves concurrently: the left here, the right one forked.
        RightCheck rc = new RightCheck(checker, pkRight, sigRight);
        rc.fork();
        PT leftError = checker.error(pkLeft, sigLeft);
        if (leftError.is_one()) {
          if (!rc.tryUnfork()) {
            rc.join();
          }
          // parent invalid and left valid: the right half carries the parent's whole error
          child(mid, to, pkRight, sigRight, error).compute();
          return;
        }
        PT rightError = rc.joined().error;
        Search left = child(from, mid, pkLeft, sigLeft, leftError);
        if (rightError.is_one()) {
          left.compute();
        } else {
          invokeAll(left, child(mid, to, pkRight, sigRight, rightError));
        }
        return;
      }
      PT leftError = checker.error(pkLeft, sigLeft);
      if (leftError.is_one()) {
        child(mid, to, pkRight, sigRight, error).compute();
        return;
      }
      child(from, mid, pkLeft, sigLeft, leftError).compute();
      PT rightError = checker.error(pkRight, sigRight);
      if (!rightError.is_one()) {
        child(mid, to, pkRight, sigRight, rightError).compute();
      }
    }

    /** Tries "exactly one bad entry"; marks it and returns true only if confirmed. */
    private boolean confirmedSingle() {
      // Σ_{i} (i - from + 1)·x_i as a sum of suffix sums: 2m additions, no scalar multiplication.
      P1 pkSuffix = new P1();
      P2 sigSuffix = new P2();
      P1 pkWeighted = new P1();
      P2 sigWeighted = new P2();
      for (int i = to - 1; i >= from; i--) {
        pkSuffix.add(pks[i]);
        sigSuffix.add(sigs[i]);
        pkWeighted.add(pkSuffix);
        sigWeighted.add(sigSuffix);
      }
      PT weighted = checker.error(pkWeighted, sigWeighted);
      PT power = error.dup();
      int candidate = -1;
      for (int i = from; i < to; i++) {
        if (power.is_equal(weighted)) {
          candidate = i;
          break;
        }
        power.mul(error);
      }
      if (candidate < 0) {
        return false;
      }
      P1 pkRest = pkSum.dup().add(new P1(pks[candidate]).neg());
      P2 sigRest = sigSum.dup().add(new P2(sigs[candidate]).neg());
      if (!checker.valid(pkRest, sigRest)) {
        return false;
      }
      invalid[candidate] = true;
      return true;
    }
  }

  private static final class RightCheck extends RecursiveAction {
    private static final long serialVersionUID = 1L;
    private final transient Checker checker;
    private final transient P1 pk;
    private final transient P2 sig;
    transient volatile PT error;

    RightCheck(Checker checker, P1 pk, P2 sig) {
      this.checker = checker;
      this.pk = pk;
      this.sig = sig;
    }

    @Override
    protected void compute() {
      error = checker.error(pk, sig);
    }

    RightCheck joined() {
      join();
      return this;
    }
  }
}
