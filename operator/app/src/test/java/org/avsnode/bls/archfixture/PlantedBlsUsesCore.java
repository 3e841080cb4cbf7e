package org.avsnode.bls.archfixture;

import org.avsnode.operator.spi.Health;

/** Planted violation: bls-native depending on the operator. Test-only. */
public final class PlantedBlsUsesCore {
  public Health use() {
    return Health.up();
  }
}
