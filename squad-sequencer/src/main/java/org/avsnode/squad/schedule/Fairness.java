package org.avsnode.squad.schedule;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.List;

/**
 * How closely the leaders of a range of slots follow the weights: each operator's share of the
 * slots, its deviation from its weight, and Pearson's chi-square statistic over the operators with
 * weight (degrees of freedom = those operators − 1).
 *
 * @param slots slots counted
 * @param counts slots led, per operator index
 * @param expectedShare each operator's weight / total weight
 * @param chiSquare Pearson's statistic
 * @param degreesOfFreedom operators with weight − 1
 */
public record Fairness(
    long slots, long[] counts, double[] expectedShare, double chiSquare, int degreesOfFreedom) {

  /** Counts the leaders of {@code count} slots from {@code fromSlot} against its own weights. */
  public static Fairness measure(LeaderSchedule schedule, long fromSlot, long count) {
    BigInteger[] w = new BigInteger[schedule.operatorCount()];
    for (int i = 0; i < w.length; i++) {
      w[i] = schedule.weightOf(i);
    }
    return measure(schedule, List.of(w), fromSlot, count);
  }

  /** Counts the leaders of {@code count} slots against {@code weights}. */
  public static Fairness measure(
      LeaderSchedule schedule, List<BigInteger> weights, long fromSlot, long count) {
    long[] counts = new long[weights.size()];
    for (long s = fromSlot; s < fromSlot + count; s++) {
      int leader = schedule.leaderOf(s);
      if (leader >= 0) {
        counts[leader]++;
      }
    }
    return of(counts, weights);
  }

  /** Leader counts per operator index against {@code weights}. */
  public static Fairness of(long[] counts, List<BigInteger> weights) {
    int n = weights.size();
    if (counts.length != n) {
      throw new IllegalArgumentException("one count per weight");
    }
    long count = 0;
    for (long c : counts) {
      count += c;
    }
    BigInteger total = weights.stream().reduce(BigInteger.ZERO, BigInteger::add);
    double[] expected = new double[n];
    double chi = 0;
    int withWeight = 0;
    for (int i = 0; i < n; i++) {
      expected[i] =
          new BigDecimal(weights.get(i))
              .divide(new BigDecimal(total), MathContext.DECIMAL64)
              .doubleValue();
      if (expected[i] > 0) {
        withWeight++;
        double e = expected[i] * count;
        chi += (counts[i] - e) * (counts[i] - e) / e;
      }
    }
    return new Fairness(count, counts, expected, chi, Math.max(0, withWeight - 1));
  }

  public double share(int operatorIndex) {
    return slots == 0 ? 0 : (double) counts[operatorIndex] / slots;
  }

  /** The largest |share − weight share| over the operators, as a fraction (0.01 = 1 point). */
  public double maxAbsoluteDeviation() {
    double max = 0;
    for (int i = 0; i < counts.length; i++) {
      max = Math.max(max, Math.abs(share(i) - expectedShare[i]));
    }
    return max;
  }

  /** The largest |share / weight share − 1| over the operators with weight. */
  public double maxRelativeDeviation() {
    double max = 0;
    for (int i = 0; i < counts.length; i++) {
      if (expectedShare[i] > 0) {
        max = Math.max(max, Math.abs(share(i) / expectedShare[i] - 1));
      }
    }
    return max;
  }
}
