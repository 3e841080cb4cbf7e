package org.avsnode.certificate.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Certificate verification cost as CPU time of the measuring thread (robust on a loaded machine,
 * where wall-clock JMH figures swing with other processes), next to a plain BLS Verify measured the
 * same way. Arguments: operator counts (default 16 64).
 */
public final class VerifyCpuTime {
  private VerifyCpuTime() {}

  public static void main(String[] args) {
    int[] sizes = args.length == 0 ? new int[] {16, 64} : parse(args);
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (int n : sizes) {
      CertificateVerifyBenchmark b = new CertificateVerifyBenchmark();
      b.n = n;
      b.setup();
      for (int i = 0; i < 300; i++) { // warm-up
        b.verify();
        b.parseAndVerify();
        b.baselineSingleBlsVerify();
      }
      int reps = 400;
      double baseline = cpuMicros(mx, reps, b::baselineSingleBlsVerify);
      double verify = cpuMicros(mx, reps, b::verify);
      double parse = cpuMicros(mx, reps, b::parseAndVerify);
      System.out.printf(
          "RESULT n=%d: verify %.0f us, parse+verify %.0f us, single BLS Verify %.0f us"
              + " (thread CPU time per op, %d reps)%n",
          n, verify, parse, baseline, reps);
    }
  }

  private static double cpuMicros(ThreadMXBean mx, int reps, Runnable op) {
    long t0 = mx.getCurrentThreadCpuTime();
    for (int i = 0; i < reps; i++) {
      op.run();
    }
    return (mx.getCurrentThreadCpuTime() - t0) / 1e3 / reps;
  }

  private static int[] parse(String[] args) {
    int[] out = new int[args.length];
    for (int i = 0; i < args.length; i++) {
      out[i] = Integer.parseInt(args[i]);
    }
    return out;
  }
}
