package org.avsnode.operator.app.devnet;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports for processes that bind them later (the devnet's operators, tests' nodes). */
public final class Ports {
  private Ports() {}

  /**
   * A free loopback port for an operator process to bind later, chosen below the kernel's ephemeral
   * range: a port from that range (what binding port 0 gives) can be taken, between this choice and
   * the process's bind, by any outgoing connection's local port, and the devnet opens many (seen in
   * CI: an aggregator that could not bind its port at start).
   */
  public static int freePort() throws IOException {
    int low = ephemeralLow();
    java.util.concurrent.ThreadLocalRandom random =
        java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 200 && low > 10_001; attempt++) {
      int port = random.nextInt(10_000, low);
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** The first port of the kernel's ephemeral range (32768 when it cannot be read). */
  static int ephemeralLow() {
    // one read: a sysctl file answers a read at a non-zero offset with end of file, and
    // Files.readString (which reads one byte first when a file reports size 0) got "3" of "32768":
    // every port was then chosen by the kernel, in the ephemeral range (DevnetChaosIT, 2026-12-08)
    try (java.io.FileInputStream in =
        new java.io.FileInputStream("/proc/sys/net/ipv4/ip_local_port_range")) {
      byte[] b = new byte[64];
      int n = in.read(b);
      String range = new String(b, 0, Math.max(n, 0), java.nio.charset.StandardCharsets.US_ASCII);
      return Integer.parseInt(range.strip().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
