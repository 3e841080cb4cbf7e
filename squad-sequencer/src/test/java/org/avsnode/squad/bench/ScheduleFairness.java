package org.avsnode.squad.bench;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.avsnode.squad.schedule.Fairness;
import org.avsnode.squad.schedule.LeaderSchedule;
import org.web3j.crypto.Hash;

/**
 * Schedule fairness over many simulated slots (benchmarks/run squad): leaders of {@code slots}
 * consecutive slots drawn by {@link LeaderSchedule} from 8 operators with stakes 1..8 (x 10^19) and
 * reputations 10000, 10000, 5000, 10000, 2500, 10000, 1000, 10000 bps, against their weights; one
 * epoch-long seed per 10^4 slots. Writes a JSON object of values to {@code out}.
 *
 * <p>Usage: {@code ScheduleFairness <slots> <out.json>}
 */
public final class ScheduleFairness {
  private ScheduleFairness() {}

  public static void main(String[] args) throws IOException {
    long slots = Long.parseLong(args[0]);
    Path out = Path.of(args[1]);
    long[] reps = {10_000, 10_000, 5_000, 10_000, 2_500, 10_000, 1_000, 10_000};
    List<BigInteger> weights = new ArrayList<>();
    for (int i = 0; i < reps.length; i++) {
      weights.add(
          BigInteger.TEN
              .pow(19)
              .multiply(BigInteger.valueOf(i + 1L))
              .multiply(BigInteger.valueOf(reps[i])));
    }
    long perEpoch = 10_000;
    long[] counts = new long[weights.size()];
    long start = System.nanoTime();
    for (long from = 0; from < slots; from += perEpoch) {
      byte[] seed = Hash.sha3(("epoch " + from / perEpoch).getBytes(StandardCharsets.US_ASCII));
      Fairness f =
          Fairness.measure(
              new LeaderSchedule(seed, weights, 2), from, Math.min(perEpoch, slots - from));
      for (int i = 0; i < counts.length; i++) {
        counts[i] += f.counts()[i];
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Fairness whole = Fairness.of(counts, weights);
    StringBuilder json = new StringBuilder("{\n");
    json.append(String.format(Locale.ROOT, "  \"slots\": %d,%n", slots));
    json.append(String.format(Locale.ROOT, "  \"chiSquare\": %.2f,%n", whole.chiSquare()));
    json.append(
        String.format(Locale.ROOT, "  \"degreesOfFreedom\": %d,%n", whole.degreesOfFreedom()));
    json.append(
        String.format(
            Locale.ROOT,
            "  \"maxAbsoluteDeviationPoints\": %.4f,%n",
            whole.maxAbsoluteDeviation() * 100));
    json.append(
        String.format(
            Locale.ROOT,
            "  \"maxRelativeDeviationPercent\": %.3f,%n",
            whole.maxRelativeDeviation() * 100));
    json.append(
        String.format(Locale.ROOT, "  \"slotsPerSecond\": %d,%n", Math.round(slots / seconds)));
    json.append("  \"operators\": [");
    for (int i = 0; i < counts.length; i++) {
      json.append(i == 0 ? "\n" : ",\n")
          .append(
              String.format(
                  Locale.ROOT,
                  "    {\"index\": %d, \"weightShare\": %.5f, \"leaderShare\": %.5f}",
                  i,
                  whole.expectedShare()[i],
                  whole.share(i)));
    }
    json.append("\n  ]\n}\n");
    Files.writeString(out, json.toString());
    System.out.print(json);
  }
}
