package org.avsnode.operator.app.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The devnet chooses operator ports below the kernel's ephemeral range, where no outgoing
 * connection can take one between the choice and the operator's bind. Until 2026-12-08 the range
 * was read as "3" (a sysctl file ends at any read from a non-zero offset, and the read took one
 * byte first), so every port came from the kernel, inside that range, and DevnetChaosIT failed when
 * an outgoing connection took an aggregator's port ("Failed to bind") in a CI run.
 */
class FreePortIT {
  private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  @Test
  void portsAreChosenBelowTheEphemeralRange() throws Exception {
    assumeTrue(Files.isReadable(RANGE), "a Linux kernel's port range");
    int low = Ports.ephemeralLow();
    assertThat(low).as("the range's low end").isGreaterThan(1024);
    for (int i = 0; i < 50; i++) {
      assertThat(Ports.freePort()).isBetween(10_000, low - 1);
    }
  }
}
