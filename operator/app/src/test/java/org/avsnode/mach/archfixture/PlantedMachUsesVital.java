package org.avsnode.mach.archfixture;

import org.avsnode.vital.archfixture.PlantedVitalHelper;

/** Planted violation: a duty calling another duty's internals. Test-only. */
public final class PlantedMachUsesVital {
  public int use() {
    return new PlantedVitalHelper().value();
  }
}
