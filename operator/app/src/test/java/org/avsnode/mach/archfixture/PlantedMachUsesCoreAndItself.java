package org.avsnode.mach.archfixture;

import org.avsnode.operator.spi.Health;

/** Allowed: a duty using the core API and its own classes. Test-only. */
public final class PlantedMachUsesCoreAndItself {
  public Health health() {
    return new PlantedMachUsesVital() == null ? Health.down("x") : Health.up();
  }
}
