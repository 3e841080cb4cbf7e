package org.avsnode.squad.preconf;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SignatureException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Sign;

/**
 * Benchmark (not a test; benchmarks/run squad): CPU time of one sender key recovery by libsecp256k1
 * and by the Java path (Bouncy Castle), over the same signatures, in rounds that alternate between
 * the two in one JVM, so both see the same machine. Reports the median of the rounds for each and
 * their ratio.
 *
 * <p>Usage: {@code SenderRecoveryBench <signatures> <rounds> <out.json>}
 */
public final class SenderRecoveryBench {
  private SenderRecoveryBench() {}

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    int rounds = Integer.parseInt(args[1]);
    Path out = Path.of(args[2]);
    if (SenderRecovery.NativeLib.LIB == null) {
      throw new IllegalStateException("libsecp256k1 did not load: nothing to compare");
    }
    Random random = new Random(20261207);
    byte[][] r = new byte[n][];
    byte[][] s = new byte[n][];
    byte[][] hash = new byte[n][];
    int[] recId = new int[n];
    for (int i = 0; i < n; i++) {
      ECKeyPair key = ECKeyPair.create(new BigInteger(250, random).add(BigInteger.ONE));
      hash[i] = new byte[32];
      random.nextBytes(hash[i]);
      Sign.SignatureData sd = Sign.signMessage(hash[i], key, false);
      r[i] = sd.getR();
      s[i] = sd.getS();
      recId[i] = sd.getV()[0] - 27;
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double[] java = new double[rounds];
    double[] nat = new double[rounds];
    // the first rounds warm the JIT and are not counted
    int warm = 3;
    for (int round = -warm; round < rounds; round++) {
      for (int k = 0; k < 2; k++) {
        boolean nativeFirst = Math.floorMod(round, 2) == 0;
        boolean useNative = (k == 0) == nativeFirst;
        long c0 = threads.getCurrentThreadCpuTime();
        long sink = 0;
        for (int i = 0; i < n; i++) {
          byte[] key =
              useNative
                  ? SenderRecovery.recoverNative(recId[i], r[i], s[i], hash[i])
                  : SenderRecovery.recoverJava(recId[i], r[i], s[i], hash[i]);
          sink += key[63];
        }
        double micros = (threads.getCurrentThreadCpuTime() - c0) / 1e3 / n;
        if (sink == Long.MIN_VALUE) {
          throw new IllegalStateException(); // keeps the results alive
        }
        if (round >= 0) {
          (useNative ? nat : java)[round] = micros;
        }
      }
    }
    // the two paths agree on every signature measured
    for (int i = 0; i < n; i++) {
      if (!Arrays.equals(
          SenderRecovery.recoverNative(recId[i], r[i], s[i], hash[i]),
          SenderRecovery.recoverJava(recId[i], r[i], s[i], hash[i]))) {
        throw new SignatureException("the two paths disagree on signature " + i);
      }
    }
    double javaMedian = median(java);
    double nativeMedian = median(nat);
    String json =
        String.format(
            Locale.ROOT,
            "{\"signatures\":%d,\"rounds\":%d,\"javaMicros\":%.1f,\"nativeMicros\":%.1f,"
                + "\"ratio\":%.2f}",
            n,
            rounds,
            javaMedian,
            nativeMedian,
            javaMedian / nativeMedian);
    Files.writeString(out, json);
    System.out.println(json);
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
  }
}
